"""The 09-backup section: AWS Backup of every data-holding volume and file system."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, Field, StrictBool, StrictInt, StrictStr, model_validator

from officeless.config.aws_limits import (BACKUP_LOCK_CHANGEABLE_MIN_DAYS, BACKUP_RETENTION_MAX_DAYS,
                                          BACKUP_START_WINDOW_MIN)
from officeless.config.types import Model, Region
from officeless.errors import FieldError

Days = Annotated[StrictInt, Field(ge=1, le=BACKUP_RETENTION_MAX_DAYS)]

_MONTHS = "JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split()
_DAYS = "SUN MON TUE WED THU FRI SAT".split()
# AWS cron fields (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html#eb-cron-expressions):
# (name, lowest, highest, names allowed for values, extra single tokens allowed).
_FIELDS = (("minutes", 0, 59, (), ()), ("hours", 0, 23, (), ()), ("day-of-month", 1, 31, (), ("?", "L", "LW")),
           ("month", 1, 12, _MONTHS, ()), ("day-of-week", 1, 7, _DAYS, ("?", "L")), ("year", 1970, 2199, (), ()))


def _cron_problem(expression: str) -> str | None:
    """Why AWS Backup would refuse ``expression``, or None."""
    match = re.fullmatch(r"cron\((.*)\)", expression)
    if not match:
        return "not of the form cron(minutes hours day-of-month month day-of-week year)"
    fields = match.group(1).split()
    if len(fields) != 6:
        return f"has {len(fields)} fields; AWS cron has 6: minutes hours day-of-month month day-of-week year"
    for value, (name, low, high, names, singles) in zip(fields, _FIELDS):
        if value in singles or value == "*":
            continue
        for part in value.split(","):
            part = re.sub(r"^(\d+)W$", r"\1", part) if name == "day-of-month" else part
            part = re.sub(r"^(\w+)[#L]\d?$", r"\1", part) if name == "day-of-week" else part
            base, _, step = part.partition("/")
            if step and not step.isdigit():
                return f"{name} {value!r}: the step after / must be a number"
            for bound in ([] if base == "*" else base.split("-", 1)):
                number = names.index(bound.upper()) + 1 if bound.upper() in names else (int(bound) if bound.isdigit() else None)
                if number is None or not low <= number <= high:
                    return f"{name} {value!r}: allowed values {low}-{high}" + (f" or {names[0]}-{names[-1]}" if names else "")
    if (fields[2] == "?") == (fields[4] == "?"):
        return "exactly one of day-of-month and day-of-week must be '?'"
    if not fields[0].isdigit():
        # One minute value per hour at most: AWS Backup takes snapshots at most hourly.
        return f"minutes {fields[0]!r} runs more than once an hour; AWS Backup runs at most hourly: give one minute, e.g. 0"
    days, months = _values(fields[2], 31, ()), _values(fields[3], 12, _MONTHS)
    if days and months and min(days) > max(_MONTH_DAYS[m - 1] for m in months):
        return (f"never runs: day-of-month {fields[2]!r} is past the last day of every month it names ({fields[3]!r}); "
                "give days that exist, or L for the last day")
    return None


# The longest each month gets (February: 29 in leap years).
_MONTH_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _values(field: str, high: int, names: tuple[str, ...]) -> set[int] | None:
    """The numbers a day-of-month or month field names (steps and ranges expanded); None when it
    names no plain numbers (*, ?, L, W...) and so may fall on any day."""
    out: set[int] = set()
    for part in field.split(","):
        base, _, step = part.partition("/")
        bounds = [names.index(b.upper()) + 1 if b.upper() in names else (int(b) if b.isdigit() else None)
                  for b in base.split("-", 1)] if base != "*" else [1, high]
        if None in bounds:
            return None
        low, top = bounds[0], (bounds[1] if len(bounds) == 2 else (high if step else bounds[0]))
        out.update(range(low, top + 1, int(step) if step else 1))
    return out


def _check_schedule(value: str) -> str:
    problem = _cron_problem(value)
    if problem:
        raise ValueError(f"{value!r} {problem}; e.g. cron(0 5 ? * * *) for daily at 05:00 UTC")
    return value


class VaultLockConfig(Model):
    """AWS Backup Vault Lock: recovery points cannot be deleted before ``min_retention_days``, nor
    kept past ``max_retention_days``. Governance mode (lifted by privileged users) unless
    ``changeable_for_days`` is set: then compliance mode, immutable for everyone, the account's
    root included, once that many days have passed."""

    min_retention_days: Days
    max_retention_days: Days | None = None
    changeable_for_days: Annotated[StrictInt, Field(ge=BACKUP_LOCK_CHANGEABLE_MIN_DAYS)] | None = None


class BackupConfig(Model):
    """One vault and one daily plan per environment; the plan selects, by the tag
    ``backup-plan: <plan name>``, the EBS volumes of the gp3 storage class and of the VPN server
    and the EFS file system (README "Backups and restores")."""

    # Default on: every environment's data is backed up.
    enabled: StrictBool = True
    # When jobs start (AWS cron, UTC). Default daily at 05:00 UTC, AWS Backup's own default.
    schedule: Annotated[StrictStr, AfterValidator(_check_schedule)] = "cron(0 5 ? * * *)"
    # A job not started within this many minutes is skipped; one not finished within
    # completion_window_minutes of its start is cancelled. Defaults 60 and 480.
    start_window_minutes: Annotated[StrictInt, Field(ge=BACKUP_START_WINDOW_MIN)] = 60
    completion_window_minutes: StrictInt = 480
    # Recovery points are deleted this many days after creation (the microservices guide: 30).
    retention_days: Days = 30
    # Copy each recovery point to a vault in this region (same retention). Default: no copy.
    copy_to_region: Region | None = None
    # Vault Lock on the primary vault. Default: none.
    vault_lock: VaultLockConfig | None = None
    # Terraform refuses to destroy the vault and its KMS key (lifecycle.prevent_destroy). Default on.
    prevent_destroy: StrictBool = True

    @model_validator(mode="after")
    def _checks(self) -> "BackupConfig":
        if self.completion_window_minutes < self.start_window_minutes + 60:
            raise FieldError("completion_window_minutes", (
                f"{self.completion_window_minutes} with start_window_minutes {self.start_window_minutes}; AWS Backup needs "
                f"the completion window at least 60 minutes longer: allowed: {self.start_window_minutes + 60} or more"))
        lock = self.vault_lock
        if lock is not None:
            if lock.min_retention_days > self.retention_days:
                raise FieldError("vault_lock.min_retention_days", (
                    f"{lock.min_retention_days} days is longer than retention_days ({self.retention_days}): the vault would "
                    f"refuse every recovery point of the plan; allowed: at most {self.retention_days}"))
            if lock.max_retention_days is not None and lock.max_retention_days < self.retention_days:
                raise FieldError("vault_lock.max_retention_days", (
                    f"{lock.max_retention_days} days is shorter than retention_days ({self.retention_days}): the vault would "
                    f"refuse every recovery point of the plan; allowed: at least {self.retention_days}"))
        return self
