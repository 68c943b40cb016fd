"""Demo and national-scale data: `manage.py seed_demo` (a small Utrecht to click through) and
`manage.py seed_scale` (the load bench's data set, built by `demo.scale`)."""
