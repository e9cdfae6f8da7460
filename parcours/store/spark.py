"""A ``spark:DIR`` workspace: the tables are Parquet files under DIR, the work runs on Spark.

``parcours.open("spark:/data/parcours")`` gives the same workspace as a DuckDB file, its
tables kept by :class:`parcours.store.warehouse.Catalog` and read and written by Spark
through Ibis' PySpark backend. The session comes from the settings (environment
variables ``PARCOURS_SPARK_*``, see docs/settings.md): a master URL (default ``local[2]``),
the driver's memory, the shuffle partitions, or a Spark Connect address for a remote
cluster. A session already running in the process (a notebook's, a job's) is used as it is.

One session serves the whole process: closing a workspace lets its tables go but leaves
the session running for the next one (starting the JVM takes seconds).
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Any

from parcours.config import Settings
from parcours.errors import WorkspaceError
from parcours.store.warehouse import Catalog

PREFIX = "spark:"

# The driver's log when PARCOURS_DEBUG is not set (fatal errors only), given to log4j as
# the JVM starts: Spark's start-up notices come before any setLogLevel could run.
QUIET_LOG = Path(__file__).with_name("spark_log4j2.properties")


def is_spark_url(url: str | Path) -> bool:
    return str(url).startswith(PREFIX)


def session(settings: Settings) -> Any:
    """The Spark session of the process: the one running, else one built from
    ``settings`` (see docs/settings.md). Sessions run in UTC, as the workspace's times."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise WorkspaceError(
            "a spark: workspace needs PySpark (and Java 17): pip install 'parcours[spark]'"
        ) from None
    if not os.environ.get("PARCOURS_DEBUG"):
        _quiet_query_loggers()
    if settings.spark_remote is None:
        active = SparkSession.getActiveSession()
        if active is not None:
            return active
        # The executors' Python is this one (its packages: parcours, pandas, pyarrow).
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        driver_options = "-Duser.timezone=UTC"
        if not os.environ.get("PARCOURS_DEBUG"):
            driver_options += f" -Dlog4j2.configurationFile={QUIET_LOG.as_uri()}"
        builder = (
            SparkSession.builder.master(settings.spark_master)
            .config("spark.driver.memory", settings.spark_memory)
            .config("spark.driver.extraJavaOptions", driver_options)
            .config("spark.executor.extraJavaOptions", "-Duser.timezone=UTC")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
        )
    else:
        builder = SparkSession.builder.remote(settings.spark_remote)
    built = (
        builder.appName("parcours")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", str(settings.spark_shuffle_partitions))
        .getOrCreate()
    )
    if settings.spark_remote is None and not os.environ.get("PARCOURS_DEBUG"):
        # Spark's log would bury a command's own output: hundreds of lines, even at ERROR,
        # when a wide query's generated code passes 64 KB and Spark falls back to
        # interpreting it (the answer is the same). A failing query still raises, with
        # Spark's message; PARCOURS_DEBUG=1 keeps the log. QUIET_LOG says the same from the
        # JVM's start; this also quiets a SparkContext the process had already started.
        built.sparkContext.setLogLevel("FATAL")
    return built


def _quiet_query_loggers() -> None:
    """PySpark 4 logs each failed query on stderr (its plan, a screenful of JSON) before
    raising it; the error itself still reaches the caller, who says it in a line."""
    try:
        from pyspark.logger import PySparkLogger
    except ImportError:  # PySpark 3.5: no such logger
        return
    for name in ("SQLQueryContextLogger", "DataFrameQueryContextLogger"):
        PySparkLogger.getLogger(name).setLevel(logging.CRITICAL + 1)


def connect(url: str | Path, settings: Settings) -> Any:
    """The backend of the ``spark:DIR`` workspace ``url`` (a
    :class:`parcours.store.spark_backend.SparkWarehouse`)."""
    folder = str(url)[len(PREFIX) :]
    if not folder:
        raise WorkspaceError("spark: needs a directory: spark:/data/parcours or spark:warehouse")
    spark = session(settings)  # PySpark missing: said before anything is made
    from parcours.store.spark_backend import SparkWarehouse  # imports PySpark: on use

    catalog = Catalog(folder)
    try:
        backend = SparkWarehouse().connect(spark, catalog=catalog)
    except BaseException:
        catalog.close()
        raise
    return backend
