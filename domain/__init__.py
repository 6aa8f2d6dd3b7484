"""The ground floor: vocabulary, lifecycle, permissions, schedule, money, errors, clock.

No SQLAlchemy and no Streamlit here; every other package may import it.
"""
