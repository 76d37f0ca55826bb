"""Placeholder."""

import streamlit as st

st.title("non_government")
