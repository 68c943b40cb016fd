"""The names under which the load bench reports its pages (shared by the locustfile and benchmarks.load,
which cannot import the locustfile: it reads its sessions at import)."""

FLOOR = "floor (trivial view)"
IB_LOG = "IB-er: log page GET /meetings/<pk>/log/"
IB_SAVE = "IB-er: save log POST /meetings/<pk>/log/"
PARTNER_HOME = "kernpartner: Mijn scholen GET /"
PARTNER_SCHOOL = "kernpartner: school GET /schools/<pk>/"
PARTNER_AGREEMENTS = "kernpartner: Mijn afspraken GET /meetings/agreements/"
ROSTER = "coordinator: roster GET /schools/?filters"
ADMIN_ROSTER = "admin: roster of all schools GET /schools/?filters"
DASHBOARD = "coordinator: dashboard GET /dashboard/"
ADMIN_DASHBOARD = "admin: dashboard of Utrecht GET /dashboard/?gemeente=<pk>"
ADMIN_NATIONAL = "admin: national dashboard GET /dashboard/?gemeente=all"
