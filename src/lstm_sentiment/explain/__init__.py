"""Per-token attributions with character offsets into the original text.

:func:`~lstm_sentiment.explain.api.explain_texts` explains texts with a model of any kind: the
kind's explainer (:mod:`.registry`) attributes the prediction to tokens (integrated gradients
for neural models, exact contributions for NBSVM, weighted member attributions for ensembles),
:mod:`.offsets` finds each token's characters in the raw text, and :mod:`.result` holds the
:class:`~lstm_sentiment.explain.result.Explanation`. :mod:`.render` draws them as a terminal
table or an HTML page. Nothing here imports the training loop.
"""
