"""The structured invoice embedded in a PDF: Factur-X, ZUGFeRD 1.0 and 2.x, XRechnung CII and
UBL, read by meaning into plain facts (``facturx``)."""
