"""What image and audio data share: the modality steps, column decoding, the classical and network routes."""
