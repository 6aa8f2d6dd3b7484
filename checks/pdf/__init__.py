"""The deposited file itself: its validation (name, size, type, PDF costs), the words of its
pages (text layer or OCR, with the embedded e-invoice XML), and its pages rendered as images.

PNG and JPEG deposits go through the same modules; only ``bounds`` is PDF-specific.
"""
