"""A national-scale data set for load tests (`manage.py seed_scale`), built with bulk inserts: the builder
(`builder`), its meetings (`meetings`), its names and phrases (`texts`) and the bulk writer (`bulk`)."""

from demo.scale.builder import BENCH_PASSWORD, BENCH_TOTP_SECRET, Report, build, clear

__all__ = ["BENCH_PASSWORD", "BENCH_TOTP_SECRET", "Report", "build", "clear"]
