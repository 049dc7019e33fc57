"""Pretraining from unlabelled text: forward and backward recurrent language models whose
embedding and first recurrent layer initialise a classifier (``model.encoder_init``)."""
