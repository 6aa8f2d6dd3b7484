"""The Streamlit entry point (server.py wraps app.py), in a folder with no ``pages/`` sibling:
Streamlit's folder mode never sees console/pages/, so no screen is served before log-in."""
