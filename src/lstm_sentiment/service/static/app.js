// lstm-sentiment page. Every text from the user or the server goes into the DOM through
// textContent / createTextNode / attributes (never parsed as HTML), so nothing in it can run.
"use strict";

const state = { models: [], limits: null, labels: [], fileTexts: [], fileRows: null };
const $ = (id) => document.getElementById(id);
const KEY_STORE = "lstm-sentiment-api-key";

function el(tag, props = {}, text) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "class") node.className = value;
    else node.setAttribute(key, value);
  }
  if (text !== undefined) node.textContent = text;
  return node;
}

function setStatus(id, message, isError = false) {
  const node = $(id);
  node.textContent = message;
  node.classList.toggle("error", isError);
}

class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

async function api(path, body) {
  const headers = { Accept: "application/json" };
  const key = sessionStorage.getItem(KEY_STORE);
  if (key) headers["X-API-Key"] = key;
  const options = { method: body === undefined ? "GET" : "POST", headers };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  const response = await fetch(path, options);
  let data = null;
  try {
    data = await response.json();
  } catch (_) {
    data = null;
  }
  if (!response.ok) {
    const error = (data && data.error) || {};
    if (response.status === 401) $("key-box").open = true;
    throw new ApiError(response.status, error.code || "http_error",
      error.message || `the server answered ${response.status}`);
  }
  return data;
}

function currentModel() {
  return $("model").value || (state.models[0] && state.models[0].name);
}

function modelInfo(name) {
  return state.models.find((m) => m.name === name) || state.models[0];
}

async function loadModels() {
  try {
    const data = await api("/v1/models");
    state.models = data.models;
    state.limits = data.limits;
    const select = $("model");
    select.replaceChildren();
    for (const model of data.models) {
      const option = el("option", { value: model.name }, model.name);
      if (model.name === data.default) option.selected = true;
      select.append(option);
    }
    const several = data.models.length > 1;
    select.hidden = !several;
    document.querySelector(".model-pick label").hidden = !several;
    showDescription();
  } catch (error) {
    setStatus("one-status", `Could not list the models: ${error.message}`, true);
  }
}

function showDescription() {
  const model = modelInfo(currentModel());
  if (!model) return;
  state.labels = model.labels;
  $("model-description").textContent =
    `${model.name}: ${model.kind} model — ${model.description} (labels: ${model.labels.join(", ")})`;
}

function percent(p) {
  return `${(100 * p).toFixed(1)}%`;
}

function renderPrediction(prediction) {
  const labelNode = $("label");
  labelNode.textContent = prediction.label === null
    ? `none (abstained: ${prediction.reason})` : prediction.label;
  const bars = $("bars");
  bars.replaceChildren();
  const entries = Object.entries(prediction.probabilities);
  const top = entries.reduce((a, b) => (b[1] > a[1] ? b : a))[0];
  for (const [label, p] of entries) {
    const name = el("span", { id: `bar-${label}` }, label);
    const track = el("div", {
      class: "track", role: "meter", "aria-valuemin": "0", "aria-valuemax": "100",
      "aria-valuenow": (100 * p).toFixed(1), "aria-label": `probability of ${label}`,
    });
    const fill = el("div", { class: label === top ? "fill top" : "fill" });
    fill.style.width = percent(p);
    track.append(fill);
    bars.append(name, track, el("span", { class: "num" }, percent(p)));
  }
  $("one-result").hidden = false;
  return top;
}

function renderExplanation(text, explanation, label) {
  const target = $("highlighted");
  target.replaceChildren();
  const scores = explanation.tokens.map((t) => Number(t.scores[label] || 0));
  const largest = Math.max(1e-9, ...scores.map(Math.abs));
  let cursor = 0;
  explanation.tokens.forEach((token, i) => {
    if (token.start < cursor || token.end > text.length || token.end <= token.start) return;
    if (token.start > cursor) target.append(document.createTextNode(text.slice(cursor, token.start)));
    const score = scores[i];
    const span = el("span", {
      class: "tok", title: `${token.token}: ${score >= 0 ? "+" : ""}${score.toFixed(4)} toward ${label}`,
    }, text.slice(token.start, token.end));
    const strength = Math.min(1, Math.abs(score) / largest);
    const rgb = score >= 0 ? "var(--pos)" : "var(--neg)";
    span.style.background = `rgba(${rgb}, ${(0.1 + 0.6 * strength).toFixed(3)})`;
    span.dataset.score = score.toFixed(6);
    target.append(span);
    cursor = token.end;
  });
  if (cursor < text.length) target.append(document.createTextNode(text.slice(cursor)));
  const list = $("top-words");
  list.replaceChildren();
  const ranked = explanation.tokens
    .map((token, i) => ({ token: token.token, score: scores[i] }))
    .sort((a, b) => Math.abs(b.score) - Math.abs(a.score))
    .slice(0, 8);
  for (const item of ranked) {
    const sign = item.score >= 0 ? "+" : "";
    list.append(el("li", {}, `${item.token}: ${sign}${item.score.toFixed(3)}`));
  }
  $("swatch-for").textContent = `toward ${label}`;
  $("swatch-against").textContent = `away from ${label}`;
  for (const id of ["words-title", "words-help", "highlighted", "top-words"]) $(id).hidden = false;
  const note = $("gap-note");
  note.hidden = explanation.adds_up !== false;
  note.textContent = note.hidden ? "" : `These scores rank the words but do not add up to the `
    + `prediction (completeness gap ${Number(explanation.completeness_gap).toFixed(2)}).`;
}

function hideExplanation() {
  for (const id of ["words-title", "words-help", "highlighted", "top-words", "gap-note"]) {
    $(id).hidden = true;
  }
}

async function scoreOne(event) {
  event.preventDefault();
  const text = $("text").value;
  if (!text.trim()) {
    setStatus("one-status", "Type some words first.", true);
    $("text").focus();
    return;
  }
  const model = currentModel();
  $("score").disabled = true;
  setStatus("one-status", "Scoring…");
  try {
    const data = await api("/v1/predict", { texts: [text], model });
    const prediction = data.predictions[0];
    const top = renderPrediction(prediction);
    hideExplanation();
    setStatus("one-status", "Explaining…");
    try {
      const explained = await api("/v1/explain", { texts: [text], model });
      renderExplanation(text, explained.explanations[0], prediction.label || top);
      setStatus("one-status", "Done.");
    } catch (error) {
      if (error.status === 501) setStatus("one-status", "This model gives no word attributions: prediction only.");
      else setStatus("one-status", `Prediction shown; explanation failed: ${error.message}`, true);
    }
  } catch (error) {
    setStatus("one-status", error.message, true);
  } finally {
    $("score").disabled = false;
  }
}

// ---- files -------------------------------------------------------------------------------

function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") { row.push(field); field = ""; }
    else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(field); rows.push(row); row = []; field = "";
    } else field += c;
  }
  if (field !== "" || row.length) { row.push(field); rows.push(row); }
  return rows;
}

function textsFromFile(name, content) {
  content = content.replace(/^\uFEFF/, "");
  if (name.toLowerCase().endsWith(".csv")) {
    const rows = parseCsv(content).filter((r) => r.some((cell) => cell.trim() !== ""));
    if (!rows.length) throw new Error("the CSV file is empty");
    const column = rows[0].findIndex((h) => h.trim().toLowerCase() === "text");
    if (column < 0) {
      throw new Error(`the CSV file has no "text" column (its columns: ${rows[0].join(", ")})`);
    }
    return rows.slice(1).map((r) => r[column] || "");
  }
  return content.split(/\r?\n/).filter((line) => line.trim() !== "");
}

async function readFile() {
  const file = $("file").files[0];
  state.fileRows = null;
  $("download").disabled = true;
  $("score-file").disabled = true;
  $("file-table").hidden = true;
  if (!file) return;
  try {
    state.fileTexts = textsFromFile(file.name, await file.text());
    if (!state.fileTexts.length) throw new Error("no texts in the file");
    $("score-file").disabled = false;
    setStatus("file-status", `${state.fileTexts.length} texts read from ${file.name}.`);
  } catch (error) {
    setStatus("file-status", `Cannot read ${file.name}: ${error.message}`, true);
  }
}

function chunks(items, limits) {
  const out = [];
  let current = [];
  let bytes = 0;
  const budget = Math.max(1024, Math.floor(limits.max_body_bytes / 2));
  for (const item of items) {
    const size = new Blob([item.text]).size * 2 + 8;
    if (current.length && (current.length >= limits.max_texts || bytes + size > budget)) {
      out.push(current); current = []; bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length) out.push(current);
  return out;
}

async function scoreFile() {
  const model = currentModel();
  const limits = state.limits || { max_texts: 64, max_text_chars: 20000, max_body_bytes: 1 << 20 };
  const rows = state.fileTexts.map((text) => ({ text, label: "", probabilities: {}, note: "" }));
  const sendable = [];
  for (const row of rows) {
    if (!row.text.trim()) row.note = "empty text";
    else if (row.text.length > limits.max_text_chars) row.note = `longer than ${limits.max_text_chars} characters`;
    else sendable.push(row);
  }
  $("score-file").disabled = true;
  let done = 0;
  try {
    for (const batch of chunks(sendable, limits)) {
      const data = await api("/v1/predict", { texts: batch.map((r) => r.text), model });
      data.predictions.forEach((p, i) => {
        batch[i].label = p.label === null ? "" : p.label;
        batch[i].probabilities = p.probabilities;
        batch[i].note = p.reason || "";
      });
      done += batch.length;
      setStatus("file-status", `Scored ${done} of ${sendable.length} texts…`);
    }
    state.fileRows = rows;
    state.fileLabels = modelInfo(model).labels;
    renderFileTable(rows, state.fileLabels);
    $("download").disabled = false;
    setStatus("file-status", `Scored ${done} texts${rows.length > done ? ` (${rows.length - done} skipped)` : ""}. Download the results as CSV.`);
  } catch (error) {
    setStatus("file-status", `Stopped after ${done} texts: ${error.message}`, true);
  } finally {
    $("score-file").disabled = false;
  }
}

function renderFileTable(rows, labels) {
  const head = $("file-head");
  head.replaceChildren(el("th", { scope: "col" }, "text"), el("th", { scope: "col" }, "label"),
    ...labels.map((l) => el("th", { scope: "col" }, `p(${l})`)));
  const body = $("file-body");
  body.replaceChildren();
  for (const row of rows.slice(0, 20)) {
    const tr = el("tr");
    tr.append(el("td", { class: "text" }, row.text),
      el("td", {}, row.label || (row.note ? `— ${row.note}` : "")),
      ...labels.map((l) => el("td", { class: "num" },
        row.probabilities[l] === undefined ? "" : row.probabilities[l].toFixed(3))));
    body.append(tr);
  }
  $("file-table").hidden = false;
}

function csvCell(value) {
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`; // a spreadsheet would run it as a formula
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function downloadResults() {
  if (!state.fileRows) return;
  const labels = state.fileLabels;
  const lines = [["text", "label", ...labels.map((l) => `p_${l}`), "note"].map(csvCell).join(",")];
  for (const row of state.fileRows) {
    const probabilities = labels.map((l) =>
      row.probabilities[l] === undefined ? "" : row.probabilities[l].toFixed(6));
    lines.push([row.text, row.label, ...probabilities, row.note].map(csvCell).join(","));
  }
  const blob = new Blob([lines.join("\r\n") + "\r\n"], { type: "text/csv;charset=utf-8" });
  const url = URL.createObjectURL(blob);
  const link = el("a", { href: url, download: "predictions.csv" });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

// ---- model card --------------------------------------------------------------------------

async function showCard() {
  const name = currentModel();
  const dialog = $("card-dialog");
  $("card-title").textContent = `Model card: ${name}`;
  $("card-text").textContent = "Loading…";
  $("card-meta").textContent = "";
  dialog.showModal();
  try {
    const model = await api(`/v1/models/${encodeURIComponent(name)}`);
    $("card-meta").textContent =
      `${model.kind} · labels ${model.labels.join(", ")} · checksum ${model.checksum || "n/a"}`;
    $("card-text").textContent = model.card || "This model has no card.";
  } catch (error) {
    $("card-text").textContent = `Could not load the card: ${error.message}`;
  }
}

document.addEventListener("DOMContentLoaded", () => {
  const key = $("api-key");
  key.value = sessionStorage.getItem(KEY_STORE) || "";
  key.addEventListener("change", () => {
    sessionStorage.setItem(KEY_STORE, key.value.trim());
    setStatus("one-status", "");
    loadModels();
  });
  $("one-form").addEventListener("submit", scoreOne);
  $("text").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) $("one-form").requestSubmit();
  });
  $("model").addEventListener("change", showDescription);
  $("show-card").addEventListener("click", showCard);
  $("close-card").addEventListener("click", () => $("card-dialog").close());
  $("file").addEventListener("change", readFile);
  $("score-file").addEventListener("click", scoreFile);
  $("download").addEventListener("click", downloadResults);
  hideExplanation();
  loadModels();
});
