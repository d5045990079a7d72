"""Audio data: decoding and input lengths, MFCC features, the spectrogram CNN search."""

from .modality import AUDIO  # noqa: F401
