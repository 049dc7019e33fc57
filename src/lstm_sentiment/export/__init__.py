"""ONNX export of neural bundles (:mod:`.onnx_export`, needs torch and onnx) and the onnxruntime
scorer that predicts with them (:mod:`.runtime`, imports neither torch nor onnx)."""
