"""The cohort of the VoxelKL workflow (Snakefile beside this file): what to compare, where the
executables are, and what each job asks of a cluster.

Plain Python 3 (no pandas, no nibabel), so that the Snakefile, its cluster jobs and the tests
import it alike. Every error is a CohortError whose message is one line naming the file.
"""

import glob
import gzip
import math
import os
import re
import shutil
import struct
import subprocess
from dataclasses import dataclass
from functools import lru_cache

# BIDS labels (sub-<label>, task-<label>, desc-<label>) are alphanumeric; models become
# desc- labels and folder names of the outputs, so they follow the same rule.
LABEL = re.compile(r"^[A-Za-z0-9]+$")

# The participants TSV: columns, which are required, and the separator of several runs.
REQUIRED_COLUMNS = ("subject", "model", "reference", "generated", "mask")
OPTIONAL_COLUMNS = ("atlas", "labelNames", "task")
RUN_SEPARATOR = ";"

# The fidelity maps VoxelKLDivergence writes beside the KL map, by option name.
FIDELITY_MAPS = ("mse", "correlation", "meanDifference", "varianceLogRatio")


class CohortError(Exception):
    """A problem with the cohort's description, in one line naming the file."""


@dataclass(frozen=True)
class Row:
    """One comparison: a subject's reference runs against one model's generated runs."""

    subject: str  # BIDS label, without "sub-"
    model: str
    task: str
    reference: tuple  # absolute paths, in time order
    generated: tuple
    mask: str = ""  # absolute path or ""
    atlas: str = ""
    label_names: str = ""
    origin: str = ""  # where the row came from, for messages ("participants.tsv line 3")

    @property
    def key(self):
        return (self.subject, self.model, self.task)


# ---------------------------------------------------------------------------------------------
# The participants TSV


def read_participants(path, default_task="rest"):
    """Rows of a participants TSV (see README, "Cohorts"). Paths are relative to the TSV's
    folder unless absolute; every file must exist."""
    name = os.path.basename(path)
    if not os.path.isfile(path):
        raise CohortError(f"{path}: participants table not found")
    base = os.path.dirname(os.path.abspath(path))
    with open(path, newline="", encoding="utf-8-sig") as stream:  # (a BOM is not a column name)
        lines = [(number, line.rstrip("\r\n")) for number, line in enumerate(stream, 1)]
    # Blank lines and '#' comments are skipped, so a table can be annotated.
    lines = [(n, line) for n, line in lines if line.strip() and not line.lstrip().startswith("#")]
    if not lines:
        raise CohortError(f"{path}: empty participants table (a header line is needed)")
    header_line, header = lines[0][0], lines[0][1].split("\t")
    header = [column.strip() for column in header]
    known = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
    for column in header:
        if column not in known:
            raise CohortError(
                f"{path}: line {header_line}: unknown column '{column}' "
                f"(columns: {', '.join(known)}; tab-separated)")
    for column in REQUIRED_COLUMNS:
        if column not in header:
            raise CohortError(f"{path}: line {header_line}: missing column '{column}'")
    duplicates = {column for column in header if header.count(column) > 1}
    if duplicates:
        raise CohortError(f"{path}: line {header_line}: column '{sorted(duplicates)[0]}' twice")

    rows = []
    for number, line in lines[1:]:
        fields = line.split("\t")
        if len(fields) != len(header):
            raise CohortError(
                f"{path}: line {number}: {len(fields)} tab-separated fields, the header has {len(header)}")
        values = {column: value.strip() for column, value in zip(header, fields)}
        where = f"{path}: line {number}"

        def label(column, value):
            if not LABEL.match(value):
                raise CohortError(f"{where}: {column} '{value}' is not a BIDS label (letters and digits only)")
            return value

        def existing(column, value):
            full = value if os.path.isabs(value) else os.path.join(base, value)
            full = os.path.normpath(os.path.expanduser(full))
            if not os.path.isfile(full):
                raise CohortError(f"{where}: {column} file '{full}' not found")
            return full

        def runs(column):
            items = [item.strip() for item in values[column].split(RUN_SEPARATOR)]
            if not values[column] or any(not item for item in items):
                raise CohortError(
                    f"{where}: {column} needs one file per run, separated by '{RUN_SEPARATOR}' "
                    f"(got '{values[column]}')")
            return tuple(existing(column, item) for item in items)

        subject = values["subject"]
        subject = subject[4:] if subject.startswith("sub-") else subject
        task = values.get("task", "") or default_task
        optional = {column: existing(column, values[column]) if values.get(column) else ""
                    for column in ("mask", "atlas", "labelNames")}
        if optional["labelNames"] and not optional["atlas"]:
            raise CohortError(f"{where}: labelNames given without an atlas")
        rows.append(Row(subject=label("subject", subject), model=label("model", values["model"]),
                        task=label("task", task), reference=runs("reference"),
                        generated=runs("generated"), mask=optional["mask"],
                        atlas=optional["atlas"], label_names=optional["labelNames"],
                        origin=f"{name} line {number}"))
    if not rows:
        raise CohortError(f"{path}: no participants (only a header)")
    return check_rows(rows, path)


# ---------------------------------------------------------------------------------------------
# A BIDS derivatives folder

ENTITY = re.compile(r"^([a-z]+)-([A-Za-z0-9]+)$")
BOLD = re.compile(r"^(?P<stem>sub-[A-Za-z0-9]+(?:_[a-z]+-[A-Za-z0-9]+)*)_bold\.nii(?:\.gz)?$")


def _entities(stem):
    """('sub-01_task-rest_run-1_desc-x') -> ordered list of (key, value)."""
    pairs = []
    for part in stem.split("_"):
        match = ENTITY.match(part)
        if not match:
            return None
        pairs.append((match.group(1), match.group(2)))
    return pairs


def _first_existing(candidates):
    for candidate in candidates:
        for extension in (".nii.gz", ".nii"):
            if os.path.isfile(candidate + extension):
                return candidate + extension
    return ""


def read_bids(directory, reference="reference", models=(), mask="brain", atlas=""):
    """Rows of a BIDS derivatives folder:

      sub-<s>/func/sub-<s>_task-<t>[_acq-..][_run-<r>][_space-..]_desc-<reference>_bold.nii[.gz]
      sub-<s>/func/sub-<s>_task-<t>[...][_run-<r>][...]_desc-<model>_bold.nii[.gz]
      sub-<s>/func/sub-<s>_task-<t>[...]_desc-<mask>_mask.nii[.gz]   (or without task-: every task)
      sub-<s>/func/sub-<s>_task-<t>[...][_desc-<atlas>]_dseg.nii[.gz] (optional, or without task-)
      <same name>.tsv beside the dseg image, or dseg.tsv / desc-<atlas>_dseg.tsv at the top: names

    Runs are paired by their run- label and taken in its order. Every desc- other than the
    reference's is a model unless `models` names them."""
    if not os.path.isdir(directory):
        raise CohortError(f"{directory}: BIDS folder not found")
    directory = os.path.abspath(directory)
    if glob.glob(os.path.join(directory, "sub-*", "ses-*")):
        raise CohortError(
            f"{directory}: sessions (sub-*/ses-*) are not read from a BIDS folder: list the runs in a participants TSV")
    series = {}  # (subject, task, other entities) -> desc -> {run: path}
    for path in sorted(glob.glob(os.path.join(directory, "sub-*", "func", "*_bold.nii*"))):
        name = os.path.basename(path)
        match = BOLD.match(name)
        pairs = _entities(match.group("stem")) if match else None
        if not pairs:
            raise CohortError(f"{path}: not a BIDS file name (sub-<label>[_key-<label>...]_bold.nii[.gz])")
        values = dict(pairs)
        if len(values) != len(pairs):
            raise CohortError(f"{path}: an entity appears twice")
        folder_subject = os.path.basename(os.path.dirname(os.path.dirname(path)))
        if folder_subject != f"sub-{values['sub']}":
            raise CohortError(f"{path}: in folder {folder_subject} but named sub-{values['sub']}")
        if "task" not in values or "desc" not in values:
            raise CohortError(f"{path}: needs task-<label> and desc-<label> (desc-{reference} or desc-<model>)")
        other = tuple((k, v) for k, v in pairs if k not in ("sub", "task", "run", "desc"))
        runs = series.setdefault((values["sub"], values["task"], other), {}).setdefault(values["desc"], {})
        runs[values.get("run", "")] = path
    if not series:
        raise CohortError(f"{directory}: no sub-*/func/*_bold.nii[.gz] files")

    rows = []
    seen = {}
    for (subject, task, other), by_desc in sorted(series.items()):
        where = f"{directory}: sub-{subject} task-{task}"
        if (subject, task) in seen:
            raise CohortError(
                f"{where}: two series ({_name(seen[(subject, task)])} and {_name(other)}): "
                "one per subject and task; use a participants TSV to choose")
        seen[(subject, task)] = other
        if reference not in by_desc:
            raise CohortError(f"{where}: no desc-{reference}_bold runs (the reference)")
        reference_runs = by_desc[reference]
        wanted = list(models) if models else sorted(d for d in by_desc if d != reference)
        prefix = os.path.join(directory, f"sub-{subject}", "func", f"sub-{subject}")
        suffix = "".join(f"_{k}-{v}" for k, v in other)
        mask_path = _first_existing([f"{prefix}_task-{task}{suffix}_desc-{mask}_mask",
                                     f"{prefix}{suffix}_desc-{mask}_mask"]) if mask else ""
        atlas_desc = f"_desc-{atlas}" if atlas else ""
        atlas_path = _first_existing([f"{prefix}_task-{task}{suffix}{atlas_desc}_dseg",
                                      f"{prefix}{suffix}{atlas_desc}_dseg"])
        names = ""
        if atlas_path:
            beside = re.sub(r"\.nii(\.gz)?$", ".tsv", atlas_path)
            top = [os.path.join(directory, f"desc-{atlas}_dseg.tsv")] if atlas else []
            top.append(os.path.join(directory, "dseg.tsv"))
            names = next((p for p in [beside] + top if os.path.isfile(p)), "")
        for model in wanted:
            if model not in by_desc:
                if models:
                    raise CohortError(f"{where}: no desc-{model}_bold runs (model named in the config)")
                continue
            if not LABEL.match(model):
                raise CohortError(f"{where}: model '{model}' is not a BIDS label")
            generated_runs = by_desc[model]
            if sorted(generated_runs) != sorted(reference_runs):
                raise CohortError(
                    f"{where}: desc-{model} has runs {_runs(generated_runs)}, desc-{reference} {_runs(reference_runs)}")
            order = sorted(reference_runs, key=_run_order)
            rows.append(Row(subject=subject, model=model, task=task,
                            reference=tuple(reference_runs[r] for r in order),
                            generated=tuple(generated_runs[r] for r in order),
                            mask=mask_path, atlas=atlas_path, label_names=names,
                            origin=f"sub-{subject} task-{task} desc-{model}"))
    if not rows:
        raise CohortError(f"{directory}: no model runs beside the desc-{reference}_bold runs")
    return check_rows(rows, directory)


def _name(entities):
    return "_".join(f"{k}-{v}" for k, v in entities) or "(no other entity)"


def _runs(runs):
    return "[" + ", ".join(sorted(runs, key=_run_order)) + "]"


def _run_order(run):
    # run- labels are usually numbers: 2 before 10.
    return (0, int(run), "") if run.isdigit() else (1, 0, run)


def check_rows(rows, source):
    """One row per subject, model and task; a subject's rows all with an atlas or all
    without (the workflow chooses its rule by subject)."""
    seen = {}
    for row in rows:
        if row.key in seen:
            raise CohortError(
                f"{source}: sub-{row.subject} model {row.model} task {row.task} twice "
                f"({seen[row.key].origin} and {row.origin})")
        seen[row.key] = row
    with_atlas = {row.subject for row in rows if row.atlas}
    for row in rows:
        if row.subject in with_atlas and not row.atlas:
            raise CohortError(
                f"{source}: sub-{row.subject} has an atlas in some rows but not in {row.origin}: "
                "give each of a subject's rows an atlas, or none")
    return rows


# ---------------------------------------------------------------------------------------------
# Executables


def find_executable(name, directory=""):
    """`directory` (a build's Applications folder, which holds NAME/NAME, or an install's bin,
    which holds NAME), else PATH. Returns an absolute path or ""."""
    if directory:
        for candidate in (os.path.join(directory, name, name), os.path.join(directory, name)):
            if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
                return os.path.abspath(candidate)
        return ""
    found = shutil.which(name)
    return os.path.abspath(found) if found else ""


@lru_cache(maxsize=None)
def executable_help(path):
    try:
        return subprocess.run([path, "--help"], capture_output=True, text=True, timeout=60).stdout
    except (OSError, subprocess.SubprocessError):
        return ""


def saves_state(divergence):
    """Whether this VoxelKLDivergence has --saveState (issue #18: being added)."""
    return "--saveState" in executable_help(divergence)


def version(executable):
    try:
        out = subprocess.run([executable, "--version"], capture_output=True, text=True, timeout=60).stdout
    except (OSError, subprocess.SubprocessError):
        return ""
    parts = out.split()
    return parts[-1] if parts else ""


# ---------------------------------------------------------------------------------------------
# Sizes and resources


@dataclass(frozen=True)
class Shape:
    voxels: int  # of one volume
    time_points: int  # of the file
    bytes_per_sample: int


_NIFTI_BYTES = {2: 1, 4: 2, 8: 4, 16: 4, 64: 8, 256: 1, 512: 2, 768: 4, 1024: 8, 1280: 8}


@lru_cache(maxsize=None)
def image_shape(path):
    """Voxels per volume and time points of an image file, from its header: NIfTI-1/2
    (.nii, .nii.gz), NRRD, MetaImage. Other files: the size stands in (4-byte samples,
    100 time points)."""
    lower = path.lower()
    try:
        if lower.endswith((".nii", ".nii.gz")):
            with (gzip.open if lower.endswith(".gz") else open)(path, "rb") as stream:
                header = stream.read(540)
            return _nifti_shape(header)
        if lower.endswith((".nrrd", ".nhdr", ".mha", ".mhd")):
            with open(path, "rb") as stream:
                text = stream.read(16384).decode("latin-1")
            shape = _text_header_shape(text)
            if shape:
                return shape
    except (OSError, EOFError, struct.error, ValueError):
        pass
    size = os.path.getsize(path)
    return Shape(voxels=max(1, size // 400), time_points=100, bytes_per_sample=4)


def _nifti_shape(header):
    for endian in "<>":
        size = struct.unpack(endian + "i", header[:4])[0]
        if size == 348:
            dims = struct.unpack(endian + "8h", header[40:56])
            datatype = struct.unpack(endian + "h", header[70:72])[0]
        elif size == 540:
            datatype = struct.unpack(endian + "h", header[12:14])[0]
            dims = struct.unpack(endian + "8q", header[16:80])
        else:
            continue
        rank = max(1, min(int(dims[0]), 7))
        sizes = [max(1, int(d)) for d in dims[1:rank + 1]]
        voxels = math.prod(sizes[:3])
        time_points = math.prod(sizes[3:]) if len(sizes) > 3 else 1
        return Shape(voxels, time_points, _NIFTI_BYTES.get(datatype, 4))
    raise ValueError("not a NIfTI header")


def _text_header_shape(text):
    nrrd = re.search(r"^sizes:\s*([0-9 ]+)$", text, re.M)
    if nrrd:
        sizes = [int(s) for s in nrrd.group(1).split()]
        kinds = re.search(r"^kinds:\s*(.+)$", text, re.M)
        kinds = kinds.group(1).split() if kinds else []
        # The frames of a Slicer 4D NRRD are the one non-domain axis (first or last).
        if len(kinds) == len(sizes) and len(sizes) == 4:
            frame_axis = next((i for i, kind in enumerate(kinds) if kind not in ("domain", "space")), 3)
        else:
            frame_axis = 3
        space = [s for i, s in enumerate(sizes) if i != frame_axis]
        frames = sizes[frame_axis] if len(sizes) > 3 else 1
        return Shape(math.prod(space[:3]), frames, 4)
    meta = re.search(r"^DimSize\s*=\s*([0-9 ]+)$", text, re.M)
    if meta:
        sizes = [int(s) for s in meta.group(1).split()]
        return Shape(math.prod(sizes[:3]), math.prod(sizes[3:]) if len(sizes) > 3 else 1, 4)
    return None


def series_shape(paths):
    """(voxels, time points) of a series of runs (or of 3D volumes, one per time point)."""
    shapes = [image_shape(p) for p in paths]
    return shapes[0].voxels, sum(s.time_points for s in shapes)


# The figures behind the resources (measured on a 2-core Xeon, VoxelKLDivergence 0.1.0, peak
# RSS of /usr/bin/time): a 53x63x46 and a 91x109x91 pair of .nii.gz, two runs of 200 volumes:
# the Gaussian map took 61 MB / 125 MB on one thread, 95 / 158 MB on two (84 bytes per voxel
# on top of ~80 MB); with the four fidelity maps 106 / 221 MB (154 bytes per voxel); k-NN and
# --runs demean stay below 110 MB (voxel tiles from a scratch copy in TMPDIR). Times: 2-12 s
# Gaussian, 22-26 s k-NN for the larger pair, ~30 ns per sample. The estimates below are
# about twice the memory and ten times the time measured, so that a slower node's job is not
# killed, with floors for the start-up of a job.
BASE_MB = 256  # the executable, ITK, the volume blocks (~32 MiB per series)
THREAD_MB = 64  # each extra worker thread's blocks and buffers
VOXEL_BYTES = 200  # per voxel: both series' accumulators, the status and KL maps
MAP_VOXEL_BYTES = 40  # per voxel and fidelity map
MERGE_VOXEL_BYTES = 600  # per voxel: two states (the sum and the one read) and the maps
SAMPLE_SECONDS = 200e-9  # per sample of both series (10x the measured k-NN rate)
MINUTES_FLOOR = 10
# Beyond this many samples (voxels x time points of both series) a job gets max_threads
# threads: below it, starting threads costs more than it saves.
THREADED_SAMPLES = 1 << 26


def subject_threads(row, max_threads):
    voxels, t_reference = series_shape(row.reference)
    _, t_generated = series_shape(row.generated)
    return max_threads if voxels * (t_reference + t_generated) >= THREADED_SAMPLES else 1


def subject_mem_mb(row, threads, maps):
    voxels, _ = series_shape(row.reference)
    per_voxel = VOXEL_BYTES + MAP_VOXEL_BYTES * len(maps)
    return int(BASE_MB + THREAD_MB * (threads - 1) + math.ceil(voxels * per_voxel / 2**20))


def subject_runtime(row):
    """Minutes."""
    voxels, t_reference = series_shape(row.reference)
    _, t_generated = series_shape(row.generated)
    return int(MINUTES_FLOOR + math.ceil(voxels * (t_reference + t_generated) * SAMPLE_SECONDS / 60))


def group_threads(rows, max_threads):
    voxels, _ = series_shape(rows[0].reference)
    return max_threads if voxels * len(rows) * 100 >= THREADED_SAMPLES else 1


def group_mem_mb(rows, threads, maps):
    voxels, _ = series_shape(rows[0].reference)
    per_voxel = MERGE_VOXEL_BYTES + MAP_VOXEL_BYTES * len(maps)
    return int(BASE_MB + THREAD_MB * (threads - 1) + math.ceil(voxels * per_voxel / 2**20))


def group_runtime(rows):
    voxels, _ = series_shape(rows[0].reference)
    # Reading a state costs about what a pass over 100 samples of a voxel does.
    return int(MINUTES_FLOOR + math.ceil(voxels * len(rows) * 100 * SAMPLE_SECONDS / 60))
