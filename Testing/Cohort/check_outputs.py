#!/usr/bin/env python3
"""Checks of the cohort workflow's outputs (Applications/Cohort), for the tests of
Testing/Cohort. Each subcommand prints what it checked and exits 1 with one line per problem.

  layout   --results R --participants P [--group] [--tables]
           every file the README promises is there, and nothing else (but logs/)
  subjects --results R --participants P --divergence EXE --scratch S
           each subject's maps, summary and region table equal a direct VoxelKLDivergence run
  group    --results R --participants P --divergence EXE --scratch S
           each model's group maps equal (to rounding) a direct run on every subject's runs as
           one series: the merged states must give the pooled samples' maps
  tables   --results R --participants P
           the index and the cohort table have one row per subject and model
  same     A B
           two result folders hold the same files with the same bytes (logs/ aside; text
           files may differ only by the folders' own absolute paths)
"""

import argparse
import array
import filecmp
import gzip
import json
import math
import os
import struct
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "Applications", "Cohort"))
import voxelkl_cohort as vk  # noqa: E402

MAPS = ("mse", "correlation", "meanDifference", "varianceLogRatio")


class Problems:
    def __init__(self, name):
        self.name = name
        self.problems = []
        self.checked = 0

    def check(self, ok, message):
        self.checked += 1
        if not ok:
            self.problems.append(message)
        return ok

    def finish(self):
        for problem in self.problems:
            print(f"{self.name}: {problem}", file=sys.stderr)
        print(f"{self.name}: {self.checked} checks, {len(self.problems)} failed")
        sys.exit(1 if self.problems else 0)


def subject_prefix(results, row):
    return os.path.join(results, f"voxelkl-{row.model}", f"sub-{row.subject}", "func",
                        f"sub-{row.subject}_task-{row.task}")


def group_prefix(results, model, task):
    return os.path.join(results, f"voxelkl-{model}", "group", f"task-{task}")


def expected_files(results, rows, group, tables):
    files = set()
    for row in rows:
        prefix = subject_prefix(results, row)
        files |= {prefix + "_desc-kl_stat.nii.gz", prefix + "_desc-kl_stat.json"}
        files |= {prefix + f"_desc-{name}_stat.nii.gz" for name in MAPS}
        if row.atlas:
            files |= {prefix + "_desc-regions_stat.tsv", prefix + "_desc-regions_stat.schema.tsv"}
        if group:
            files.add(prefix + "_desc-kl_state.vkls")
    for model in {row.model for row in rows}:
        files.add(os.path.join(results, f"voxelkl-{model}", "dataset_description.json"))
    if group:
        for model, task in {(row.model, row.task) for row in rows}:
            prefix = group_prefix(results, model, task)
            files |= {prefix + "_desc-kl_stat.nii.gz", prefix + "_desc-kl_stat.json",
                      prefix + "_desc-kl_state.vkls"}
            files |= {prefix + f"_desc-{name}_stat.nii.gz" for name in MAPS}
    for task in {row.task for row in rows}:
        prefix = os.path.join(results, "cohort", f"task-{task}")
        # The index is written whenever the subjects' summaries are (cohort_index runs as
        # the input of the cohort tables only).
        if tables:
            # VoxelKLCohort writes a 3D Slicer schema beside each of its tables.
            files |= {prefix + "_index.tsv", prefix + "_cohort.tsv", prefix + "_cohort.schema.tsv"}
            if any(row.atlas for row in rows if row.task == task):
                files |= {prefix + "_regions.tsv", prefix + "_groupRegions.tsv"}
                files |= {prefix + "_regions.schema.tsv", prefix + "_groupRegions.schema.tsv"}
    return files


def tree(folder):
    found = set()
    for directory, subdirectories, names in os.walk(folder):
        if os.path.relpath(directory, folder) == ".":
            subdirectories[:] = [d for d in subdirectories if d != "logs"]
        found |= {os.path.join(directory, name) for name in names}
    return found


def read_map(path):
    """A NIfTI-1 image's voxels as floats (the maps are float32 .nii.gz)."""
    with (gzip.open if path.endswith(".gz") else open)(path, "rb") as stream:
        data = stream.read()
    endian = "<" if struct.unpack("<i", data[:4])[0] == 348 else ">"
    dims = struct.unpack(endian + "8h", data[40:56])
    datatype = struct.unpack(endian + "h", data[70:72])[0]
    offset = int(struct.unpack(endian + "f", data[108:112])[0])
    count = math.prod(dims[1:dims[0] + 1])
    code = {2: "B", 4: "h", 8: "i", 16: "f", 64: "d"}[datatype]
    values = array.array(code)
    values.frombytes(data[offset:offset + count * values.itemsize])
    if (endian == "<") != (sys.byteorder == "little"):
        values.byteswap()
    return dims[1:4], list(values)


def run(arguments):
    result = subprocess.run(arguments, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"{arguments[0]} failed ({result.returncode}): {result.stderr.strip()}")


def divergence_arguments(divergence, reference, generated, mask, out):
    arguments = [divergence]
    for path in reference:
        arguments += ["--reference", path]
    for path in generated:
        arguments += ["--generated", path]
    if mask:
        arguments += ["--mask", mask]
    arguments += ["--output", out + "_kl.nii.gz", "--summary", out + "_kl.json", "--threads", "1"]
    for name in MAPS:
        arguments += [f"--{name}", out + f"_{name}.nii.gz"]
    return arguments


def read_rows(arguments):
    return vk.read_participants(arguments.participants, "rest")


def layout(arguments):
    check = Problems("layout")
    rows = read_rows(arguments)
    expected = expected_files(arguments.results, rows, arguments.group, arguments.tables)
    found = tree(arguments.results)
    for path in sorted(expected - found):
        check.check(False, f"missing {path}")
    for path in sorted(found - expected):
        check.check(False, f"not expected: {path}")
    for path in sorted(expected & found):
        check.check(os.path.getsize(path) > 0, f"empty: {path}")
    for model in sorted({row.model for row in rows}):
        path = os.path.join(arguments.results, f"voxelkl-{model}", "dataset_description.json")
        if os.path.isfile(path):
            description = json.load(open(path, encoding="utf-8"))
            check.check(description.get("DatasetType") == "derivative", f"{path}: DatasetType is not derivative")
            check.check(description.get("GeneratedBy", [{}])[0].get("Name") == "VoxelKL",
                        f"{path}: GeneratedBy is not VoxelKL")
            check.check(bool(description.get("BIDSVersion")), f"{path}: no BIDSVersion")
    print(f"layout: {len(expected)} files expected for {len(rows)} subject-model rows")
    check.finish()


def subjects(arguments):
    check = Problems("subjects")
    os.makedirs(arguments.scratch, exist_ok=True)
    for row in read_rows(arguments):
        out = os.path.join(arguments.scratch, f"sub-{row.subject}_{row.model}")
        direct = divergence_arguments(arguments.divergence, row.reference, row.generated, row.mask, out)
        if row.atlas:
            direct += ["--labels", row.atlas, "--regionTable", out + "_regions.tsv"]
            if row.label_names:
                direct += ["--labelNames", row.label_names]
        run(direct)
        prefix = subject_prefix(arguments.results, row)
        for name in ("kl",) + MAPS:
            produced = prefix + f"_desc-{name}_stat.nii.gz"
            check.check(os.path.isfile(produced) and filecmp.cmp(produced, out + f"_{name}.nii.gz", shallow=False),
                        f"{produced} differs from a direct VoxelKLDivergence run ({out}_{name}.nii.gz)")
        produced = prefix + "_desc-kl_stat.json"
        if check.check(os.path.isfile(produced), f"missing {produced}"):
            mine = json.load(open(produced, encoding="utf-8"))
            theirs = json.load(open(out + "_kl.json", encoding="utf-8"))
            # The direct run has no region table unless the row has an atlas: same options.
            check.check(mine == theirs, f"{produced} differs from the direct run's summary {out}_kl.json")
            check.check(mine["inputs"]["reference"]["paths"] == list(row.reference),
                        f"{produced}: reference runs {mine['inputs']['reference']['paths']}, not the table's")
            check.check(len(mine["inputs"]["generated"]["runs"]) == len(row.generated),
                        f"{produced}: not every generated run was read")
        if row.atlas:
            produced = prefix + "_desc-regions_stat.tsv"
            check.check(os.path.isfile(produced) and filecmp.cmp(produced, out + "_regions.tsv", shallow=False),
                        f"{produced} differs from the direct run's {out}_regions.tsv")
    check.finish()


def group(arguments):
    check = Problems("group")
    os.makedirs(arguments.scratch, exist_ok=True)
    rows = read_rows(arguments)
    for model, task in sorted({(row.model, row.task) for row in rows}):
        members = [row for row in rows if row.model == model and row.task == task]
        out = os.path.join(arguments.scratch, f"group_{model}_{task}")
        # Every subject's runs as one series (the demo cohort's subjects share grid and mask).
        reference = [path for row in members for path in row.reference]
        generated = [path for row in members for path in row.generated]
        run(divergence_arguments(arguments.divergence, reference, generated, members[0].mask, out))
        prefix = group_prefix(arguments.results, model, task)
        for name in ("kl",) + MAPS:
            produced = prefix + f"_desc-{name}_stat.nii.gz"
            if not check.check(os.path.isfile(produced), f"missing {produced}"):
                continue
            grid, mine = read_map(produced)
            direct_grid, theirs = read_map(out + f"_{name}.nii.gz")
            check.check(grid == direct_grid, f"{produced}: grid {grid}, the pooled run's {direct_grid}")
            # Merged moments (Pebay's pairwise formulas) against one pass over the pooled
            # samples: equal up to double rounding, then float32.
            worst = max((abs(a - b) / max(1.0, abs(b)) for a, b in zip(mine, theirs)), default=0.0)
            check.check(len(mine) == len(theirs) and worst <= 1e-5,
                        f"{produced}: differs from the pooled run by up to {worst:.3g} (relative)")
        summary = prefix + "_desc-kl_stat.json"
        if check.check(os.path.isfile(summary), f"missing {summary}"):
            try:
                json.load(open(summary, encoding="utf-8"))
                check.check(True, "")
            except ValueError as error:
                check.check(False, f"{summary}: not JSON ({error})")
        state = prefix + "_desc-kl_state.vkls"
        check.check(os.path.isfile(state) and os.path.getsize(state) > 0, f"missing or empty {state}")
    check.finish()


def read_tsv(path):
    with open(path, encoding="utf-8") as stream:
        lines = [line.rstrip("\n").split("\t") for line in stream if line.strip()]
    return lines[0], lines[1:]


def tables(arguments):
    check = Problems("tables")
    rows = read_rows(arguments)
    for task in sorted({row.task for row in rows}):
        members = [row for row in rows if row.task == task]
        keys = sorted((f"sub-{row.subject}", row.model) for row in members)
        prefix = os.path.join(arguments.results, "cohort", f"task-{task}")
        header, lines = read_tsv(prefix + "_index.tsv")
        check.check(header == ["subject", "model", "summary", "regionTable"], f"{prefix}_index.tsv: header {header}")
        check.check(sorted((line[0], line[1]) for line in lines) == keys,
                    f"{prefix}_index.tsv: rows {[line[:2] for line in lines]}, the cohort's {keys}")
        for line in lines:
            for path in line[2:]:
                check.check(not path or (os.path.isabs(path) and os.path.isfile(path)),
                            f"{prefix}_index.tsv: {path} is not an existing absolute path")
        table = prefix + "_cohort.tsv"
        if check.check(os.path.isfile(table), f"missing {table}"):
            header, lines = read_tsv(table)
            check.check(len(lines) == len(members),
                        f"{table}: {len(lines)} rows, the cohort has {len(members)} subject-model rows")
            if "subject" in header and "model" in header:
                s, m = header.index("subject"), header.index("model")
                check.check(sorted((line[s], line[m]) for line in lines) == keys,
                            f"{table}: subjects and models {[(line[s], line[m]) for line in lines]}, not {keys}")
        if any(row.atlas for row in members):
            for name in ("_regions.tsv", "_groupRegions.tsv"):
                if check.check(os.path.isfile(prefix + name), f"missing {prefix + name}"):
                    header, lines = read_tsv(prefix + name)
                    check.check(len(lines) > 0, f"{prefix + name}: no rows")
    check.finish()


def same(arguments):
    check = Problems("same")
    a, b = os.path.abspath(arguments.first), os.path.abspath(arguments.second)
    files_a = {os.path.relpath(p, a) for p in tree(a)}
    files_b = {os.path.relpath(p, b) for p in tree(b)}
    for path in sorted(files_a ^ files_b):
        check.check(False, f"{path} only in {a if path in files_a else b}")
    identical = 0
    for path in sorted(files_a & files_b):
        first, second = os.path.join(a, path), os.path.join(b, path)
        if filecmp.cmp(first, second, shallow=False):
            identical += 1
            check.check(True, "")
            continue
        # Tables and summaries may name the results' own folder (the cohort index lists
        # absolute paths); nothing else may differ.
        if path.endswith((".tsv", ".json")):
            text_a = open(first, encoding="utf-8").read().replace(a, "<results>")
            text_b = open(second, encoding="utf-8").read().replace(b, "<results>")
            check.check(text_a == text_b, f"{path} differs between {a} and {b} (beyond their own paths)")
        else:
            check.check(False, f"{path} differs between {a} and {b}")
    print(f"same: {len(files_a & files_b)} files compared, {identical} byte-identical")
    check.finish()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("layout", "subjects", "group", "tables"):
        command = commands.add_parser(name)
        command.add_argument("--results", required=True)
        command.add_argument("--participants", required=True)
        if name in ("subjects", "group"):
            command.add_argument("--divergence", required=True)
            command.add_argument("--scratch", required=True)
        if name == "layout":
            command.add_argument("--group", action="store_true")
            command.add_argument("--tables", action="store_true")
    command = commands.add_parser("same")
    command.add_argument("first")
    command.add_argument("second")
    arguments = parser.parse_args()
    {"layout": layout, "subjects": subjects, "group": group, "tables": tables, "same": same}[arguments.command](arguments)


if __name__ == "__main__":
    main()
