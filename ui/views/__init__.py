"""The pages, one script each (run by `st.navigation` from ui/app.py; nothing imports them)."""
