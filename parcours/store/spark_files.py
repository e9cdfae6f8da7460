"""Files on the cluster's storage for a ``spark:DIR`` workspace's ingestion.

``parcours ingest events s3a://lake/web/2026-12-01.csv -w spark:/mnt/parcours`` names a file
by its URI (``hdfs://``, ``s3a://``, ``abfss://``, ``gs://``, ``file://``: any scheme the Spark
session's Hadoop configuration knows, with its credentials). A Parquet file is read by Spark
where it lies (:mod:`parcours.store.spark_parquet`), and so are a CSV file whose every line
is a whole record (:mod:`parcours.store.spark_csv`), an NDJSON file of flat objects
(:mod:`parcours.store.spark_ndjson`) and an XES log of flat attributes
(:mod:`parcours.store.spark_xes`); any other, the session's Hadoop file system copies
beside the driver, where it is read and checked as a local file is:
the same rows, rejected rows and reasons, by construction. The rows and messages name the
file by its URI. Spark Connect keeps the file systems on the server, out of reach of this
process: there, copy the file to this machine first.
"""

from __future__ import annotations

import re
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from parcours.errors import SourceError

# A scheme then "//": s3a://bucket/key, hdfs://namenode/path, file:///tmp/x.csv. A Windows
# path (C:\x.csv) has no "//" after its colon.
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def is_uri(source: Any) -> bool:
    return isinstance(source, str) and _URI.match(source) is not None


def file_name(uri: str) -> str:
    """The last part of ``uri``'s path: ``s3a://lake/web/day.csv`` → ``day.csv``."""
    return uri.rstrip("/").rsplit("/", 1)[-1]


def names_in(session: Any, uri: str) -> list[str] | None:
    """The names of the files in the directory ``uri``; None when ``uri`` is a file."""
    path = _jvm(session, uri).org.apache.hadoop.fs.Path(uri)
    if not _status(session, path, uri).isDirectory():
        return None
    listed = _file_system(session, path).listStatus(path)
    return [str(status.getPath().getName()) for status in listed if status.isFile()]


def not_on_this_engine(uri: str) -> SourceError:
    """What a workspace that is not ``spark:DIR`` says of a file URI."""
    return SourceError(
        f"{uri}: a file URI is read through Spark's file systems, by a spark: workspace; "
        "this workspace reads local files: give the file's path"
    )


@contextmanager
def fetched(session: Any, uri: str, folder: Path) -> Iterator[Path]:
    """``uri`` copied by ``session``'s Hadoop file system into a folder of its own under
    ``folder``, its name (and so its type: ``.csv.gz``, ``.parquet``) kept; removed after."""
    hadoop = _jvm(session, uri).org.apache.hadoop.fs
    path = hadoop.Path(uri)
    check_file(session, uri)
    own = folder / f"fetch-{uuid.uuid4().hex[:8]}"
    own.mkdir(parents=True)
    try:
        local = own / file_name(uri)
        # useRawLocalFileSystem: no .crc file beside the copy.
        _file_system(session, path).copyToLocalFile(False, path, hadoop.Path(local.as_uri()), True)
        yield local
    finally:
        shutil.rmtree(own, ignore_errors=True)


def check_file(session: Any, uri: str) -> None:
    """SourceError unless ``uri`` is a file the session's file systems can read."""
    path = _jvm(session, uri).org.apache.hadoop.fs.Path(uri)
    if _status(session, path, uri).isDirectory():
        raise SourceError(
            f"{uri}: is a directory; give one file (CSV, Parquet, NDJSON/JSON or XES), or "
            "the directory to `parcours ingest`, which ingests each of its files"
        )


def _jvm(session: Any, uri: str) -> Any:
    jvm = getattr(session, "_jvm", None)
    if jvm is None:  # Spark Connect: no JVM in this process
        raise SourceError(
            f"{uri}: files on the cluster's storage are read through the Spark session's "
            "Hadoop file system, which Spark Connect keeps on the server; copy the file to "
            "this machine and ingest the copy"
        )
    return jvm


def _file_system(session: Any, path: Any) -> Any:
    """The Hadoop file system of ``path``, with the session's configuration (credentials)."""
    return path.getFileSystem(session._jsc.hadoopConfiguration())


def _status(session: Any, path: Any, uri: str) -> Any:
    """The Hadoop file status of ``path``, a missing file or file system said plainly."""
    from py4j.protocol import Py4JJavaError

    try:
        return _file_system(session, path).getFileStatus(path)
    except Py4JJavaError as error:
        java = error.java_exception
        kind = java.getClass().getName()
        text = str(java.toString())
        if kind == "java.io.FileNotFoundException":
            raise SourceError(f"{uri}: no such file") from None
        if "UnsupportedFileSystemException" in text or "ClassNotFoundException" in text:
            scheme = uri.split(":", 1)[0]
            raise SourceError(
                f"{uri}: this Spark has no file system for {scheme}://; add its connector to "
                "the session (for s3a://, the hadoop-aws package and its settings), or copy "
                "the file to this machine"
            ) from None
        raise SourceError(f"{uri}: cannot be read: {java.getMessage()}") from None
