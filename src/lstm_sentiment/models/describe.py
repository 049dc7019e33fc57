"""One-line descriptions of neural architectures, for model cards, tables and the service
(no torch: a model served on onnxruntime describes itself with it)."""

from __future__ import annotations

from lstm_sentiment.config import ModelConfig


def describe_architecture(config: ModelConfig) -> str:
    """One-line human description of the neural architecture ``config`` builds."""
    direction = "bidirectional " if config.bidirectional else ""
    sizes = ", ".join(str(size) for size in config.layer_sizes)
    layers = len(config.layer_sizes)
    conv = f"Conv1D ({config.conv_filters} filters × widths {config.conv_kernel_sizes})"
    cell = config.architecture.removeprefix("cnn_").upper()
    recurrent = f"{direction}{cell} ({layers} layer{'s' if layers > 1 else ''}: {sizes} units)"
    if config.layer_connection != "none" and layers > 1:
        recurrent += f" with {config.layer_connection} connections"
    encoder = {
        "cnn": conv,
        "embedding_pool": "bag of embeddings (no encoder)",
    }.get(config.architecture)
    if encoder is None:
        encoder = (
            f"{conv} → max-pool /{config.conv_pool_size} → {recurrent}"
            if config.architecture.startswith("cnn_")
            else recurrent
        )
    pooling = "+".join(config.pooling)
    if "attention" in config.pooling and config.attention_heads > 1:
        pooling += f" ({config.attention_heads} heads)"
    head = f", dense {config.dense_size} {config.dense_activation}" if config.dense_size else ""
    regions = " + ".join(
        f"{dim}-d ({size} words)"
        for dim, size in zip(config.region_dim, config.region_size, strict=True)
    )
    if config.lstm_region_dim:
        lstm = f"LSTM region embeddings 2x{config.lstm_region_dim}-d"
        regions = f"{regions} + {lstm}" if regions else lstm
    inputs = f" over words + region embeddings {regions}" if regions else ""
    return f"{encoder}{inputs}, {pooling} pooling{head}, {config.output} output"
