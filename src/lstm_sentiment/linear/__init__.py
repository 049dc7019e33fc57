"""Linear models on n-gram features: NBSVM (Wang & Manning 2012)."""
