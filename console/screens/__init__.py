"""Rendering pieces of the screens, a module per concern (the pages in console/pages/ call
them); Streamlit only."""
