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
ADMIN_MEETINGS = "admin: meetings of all schools GET /meetings/"
ADMIN_WIJKEN = "admin: wijken GET /manage/wijken/"
ADMIN_PEOPLE = "admin: people GET /people/"
DASHBOARD = "coordinator: dashboard GET /dashboard/"
ADMIN_DASHBOARD = "admin: dashboard of Utrecht GET /dashboard/?gemeente=<pk>"
ADMIN_NATIONAL = "admin: national dashboard GET /dashboard/?gemeente=all"
EVAL_AREA = "coordinator: evaluation results by role GET /evaluaties/results/"
EVAL_SCHOOL = "kernpartner: a school's evaluation results GET /evaluaties/results/<pk>/"

# Simulated people who only ask the floor, on top of the people of the mix (--users): the floor's p95 is the
# yardstick of every page, so it is read from three people's requests (about 700 in 150 s), not one's (about
# 240, whose p95 is anywhere between their 92nd and 98th percentile).
FLOOR_PROBES = 3

# The admin's pages (issue 15): national, the worst case of every list and filter.
ADMIN_PAGES = (ADMIN_ROSTER, ADMIN_MEETINGS, ADMIN_WIJKEN, ADMIN_PEOPLE)
# `benchmarks.load --admin` runs only the admin (and the floor): for looking at the admin's pages alone.
ONLY_ADMIN_ENV = "KPA_BENCH_ONLY_ADMIN"
# The file to which the locustfile appends every request (page, milliseconds, failed): each scale is loaded
# in two rounds, and its percentiles are taken from the samples of both (benchmarks.load.read_samples).
SAMPLES_ENV = "KPA_BENCH_SAMPLES"


def in_mix(pool: str, environ: dict[str, str]) -> bool:
    """Whether the simulated people of `pool` are spawned: all of them, or with --admin the admin's and
    the floor's only."""
    if environ.get(ONLY_ADMIN_ENV):
        return pool in ("admin", "floor")
    return True


def last_school_year() -> int:
    """The school year before this one (in Amsterdam): the other year the kernpartner's results pages ask
    for. (Not a fixed year: the results page refuses one more than four school years ago.)"""
    import datetime as dt
    from zoneinfo import ZoneInfo

    from schools.years import school_year_start

    return school_year_start(dt.datetime.now(ZoneInfo("Europe/Amsterdam")).date()).year - 1
