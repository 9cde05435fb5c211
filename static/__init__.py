"""The page's browser code (ES modules), styles and vendored plotly.js, shipped as package data."""
