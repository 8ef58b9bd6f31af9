# Sample scores (src/eval): Fréchet distance, KID, classifier score, class histogram,
# precision/recall and memorisation against closed forms and brute-force references.
clgan_test(metrics test_metrics.c)
