"""Placeholder."""

import streamlit as st

st.title("composite_classes")
