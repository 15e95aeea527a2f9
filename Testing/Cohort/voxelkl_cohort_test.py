#!/usr/bin/env python3
"""Unit tests of Applications/Cohort/voxelkl_cohort.py (no build needed): image sizes from
headers, the BIDS layout's pairing and its errors, the participants table's smaller errors
(the end-to-end ones, through snakemake, are in local-test.sh errors), and the resources."""

import gzip
import os
import struct
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "Applications", "Cohort"))
import voxelkl_cohort as vk  # noqa: E402


def nifti1(dims, datatype=16, endian="<"):
    header = bytearray(352)
    header[0:4] = struct.pack(endian + "i", 348)
    full = [len(dims)] + list(dims) + [1] * (7 - len(dims))
    header[40:56] = struct.pack(endian + "8h", *full)
    header[70:72] = struct.pack(endian + "h", datatype)
    header[108:112] = struct.pack(endian + "f", 352.0)
    header[344:348] = b"n+1\0"
    return bytes(header)


def nifti2(dims, datatype=16):
    header = bytearray(544)
    header[0:4] = struct.pack("<i", 540)
    header[12:14] = struct.pack("<h", datatype)
    full = [len(dims)] + list(dims) + [1] * (7 - len(dims))
    header[16:80] = struct.pack("<8q", *full)
    return bytes(header)


class Folder(unittest.TestCase):
    def setUp(self):
        self.directory = tempfile.TemporaryDirectory()
        self.root = self.directory.name

    def tearDown(self):
        self.directory.cleanup()

    def write(self, relative, data=b"", compress=None):
        path = os.path.join(self.root, relative)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        compress = path.endswith(".gz") if compress is None else compress
        with (gzip.open if compress else open)(path, "wb") as stream:
            stream.write(data if isinstance(data, bytes) else data.encode())
        return path


class ImageShape(Folder):
    def test_nifti1_gz_and_nii_both_byte_orders(self):
        self.assertEqual(vk.image_shape(self.write("a.nii.gz", nifti1((12, 14, 10, 40)))),
                         vk.Shape(1680, 40, 4))
        self.assertEqual(vk.image_shape(self.write("b.nii", nifti1((53, 63, 46, 200), 4, ">"))),
                         vk.Shape(53 * 63 * 46, 200, 2))
        self.assertEqual(vk.image_shape(self.write("c.nii", nifti1((8, 8, 8)))), vk.Shape(512, 1, 4))

    def test_nifti2(self):
        self.assertEqual(vk.image_shape(self.write("d.nii", nifti2((91, 109, 91, 300), 64))),
                         vk.Shape(91 * 109 * 91, 300, 8))

    def test_nrrd_frames_first_or_last_and_metaimage(self):
        last = "NRRD0004\ntype: float\ndimension: 4\nsizes: 10 11 12 30\nkinds: domain domain domain list\n\n"
        first = "NRRD0004\ntype: float\ndimension: 4\nsizes: 30 10 11 12\nkinds: list domain domain domain\n\n"
        meta = "ObjectType = Image\nNDims = 4\nDimSize = 10 11 12 30\nElementType = MET_FLOAT\n"
        for name, text in (("e.nrrd", last), ("f.nrrd", first), ("g.mha", meta)):
            self.assertEqual(vk.image_shape(self.write(name, text)), vk.Shape(1320, 30, 4), name)

    def test_unreadable_header_falls_back_on_the_size(self):
        path = self.write("h.nii.gz", b"not gzip at all" * 100, compress=False)
        self.assertEqual(vk.image_shape(path).time_points, 100)

    def test_series_of_runs_and_of_volumes(self):
        runs = [self.write(f"run{i}.nii.gz", nifti1((4, 5, 6, 7 + i))) for i in range(2)]
        self.assertEqual(vk.series_shape(runs), (120, 15))
        volumes = [self.write(f"v{i}.nii", nifti1((4, 5, 6))) for i in range(3)]
        self.assertEqual(vk.series_shape(volumes), (120, 3))


class Bids(Folder):
    def bold(self, subject, desc, run=None, task="rest", extra=""):
        run_part = f"_run-{run}" if run is not None else ""
        return self.write(f"sub-{subject}/func/sub-{subject}_task-{task}{extra}{run_part}_desc-{desc}_bold.nii.gz",
                          nifti1((4, 4, 4, 10)))

    def test_pairs_runs_by_label_in_numeric_order(self):
        for run in (1, 2, 10):
            self.bold("01", "reference", run)
            self.bold("01", "modelA", run)
            self.bold("01", "modelB", run)
        mask = self.write("sub-01/func/sub-01_task-rest_desc-brain_mask.nii.gz", nifti1((4, 4, 4)))
        atlas = self.write("sub-01/func/sub-01_dseg.nii.gz", nifti1((4, 4, 4), 2))
        names = self.write("dseg.tsv", "index\tname\n1\tone\n")
        rows = vk.read_bids(self.root)
        self.assertEqual([row.model for row in rows], ["modelA", "modelB"])
        row = rows[0]
        self.assertEqual([os.path.basename(p).split("_")[2] for p in row.reference], ["run-1", "run-2", "run-10"])
        self.assertEqual([p.replace("modelA", "reference") for p in row.generated], list(row.reference))
        self.assertEqual((row.mask, row.atlas, row.label_names), (mask, atlas, names))
        self.assertEqual([row.model for row in vk.read_bids(self.root, models=["modelB"])], ["modelB"])

    def test_space_entity_is_kept_and_found_for_the_mask(self):
        self.bold("02", "reference", extra="_space-MNI")
        self.bold("02", "gen", extra="_space-MNI")
        mask = self.write("sub-02/func/sub-02_task-rest_space-MNI_desc-brain_mask.nii.gz", nifti1((4, 4, 4)))
        (row,) = vk.read_bids(self.root)
        self.assertEqual((row.subject, row.model, row.mask), ("02", "gen", mask))

    def assertError(self, expected, call):
        with self.assertRaises(vk.CohortError) as caught:
            call()
        self.assertIn(expected, str(caught.exception))
        self.assertNotIn("\n", str(caught.exception))

    def test_errors(self):
        self.assertError("BIDS folder not found", lambda: vk.read_bids(os.path.join(self.root, "none")))
        self.assertError("no sub-*/func/*_bold.nii[.gz] files", lambda: vk.read_bids(self.root))
        self.bold("01", "gen", 1)
        self.assertError("sub-01 task-rest: no desc-reference_bold runs", lambda: vk.read_bids(self.root))
        self.bold("01", "reference", 1)
        self.bold("01", "reference", 2)
        self.assertError("desc-gen has runs [1], desc-reference [1, 2]", lambda: vk.read_bids(self.root))
        self.assertError("no desc-other_bold runs (model named in the config)",
                         lambda: vk.read_bids(self.root, models=["other"]))
        self.write("sub-03/ses-1/func/x.nii.gz", b"")
        self.assertError("sessions (sub-*/ses-*) are not read", lambda: vk.read_bids(self.root))

    def test_two_series_of_one_task_are_ambiguous(self):
        for space in ("_space-A", "_space-B"):
            self.bold("01", "reference", extra=space)
            self.bold("01", "gen", extra=space)
        self.assertError("two series (space-A and space-B)", lambda: vk.read_bids(self.root))


class Participants(Folder):
    def table(self, text):
        return self.write("participants.tsv", text)

    def test_relative_paths_several_runs_optional_columns(self):
        for name in ("r1.nii.gz", "r2.nii.gz", "g1.nii.gz", "g2.nii.gz", "m.nii.gz"):
            self.write(f"data/{name}", nifti1((4, 4, 4, 5)))
        path = self.table("# a comment\nsubject\tmodel\treference\tgenerated\tmask\ttask\n"
                          "sub-07\tnet\tdata/r1.nii.gz ; data/r2.nii.gz\tdata/g1.nii.gz;data/g2.nii.gz\tdata/m.nii.gz\t\n"
                          "\n08\tnet\tdata/r1.nii.gz\tdata/g1.nii.gz\t\tmotor\n")
        first, second = vk.read_participants(path, "rest")
        self.assertEqual((first.subject, first.task, len(first.reference)), ("07", "rest", 2))
        self.assertEqual(first.reference[1], os.path.join(self.root, "data", "r2.nii.gz"))
        self.assertEqual((second.subject, second.task, second.mask), ("08", "motor", ""))

    def test_errors(self):
        self.write("r.nii.gz", nifti1((4, 4, 4, 5)))
        header = "subject\tmodel\treference\tgenerated\tmask\tatlas\tlabelNames\n"
        cases = [
            ("", "empty participants table"),
            (header, "no participants (only a header)"),
            (header + "01\tnet\tr.nii.gz\n", "line 2: 3 tab-separated fields, the header has 7"),
            (header + "01\tne-t\tr.nii.gz\tr.nii.gz\t\t\t\n", "line 2: model 'ne-t' is not a BIDS label"),
            (header + "01\tnet\tr.nii.gz;\tr.nii.gz\t\t\t\n", "line 2: reference needs one file per run"),
            (header + "01\tnet\tr.nii.gz\tr.nii.gz\t\t\tr.nii.gz\n", "line 2: labelNames given without an atlas"),
            ("subject\tmodel\tmodel\treference\tgenerated\tmask\n", "column 'model' twice"),
            (header + "01\ta\tr.nii.gz\tr.nii.gz\t\tr.nii.gz\t\n01\tb\tr.nii.gz\tr.nii.gz\t\t\t\n",
             "sub-01 has an atlas in some rows but not in participants.tsv line 3"),
        ]
        for text, expected in cases:
            path = self.table(text)
            with self.assertRaises(vk.CohortError, msg=expected) as caught:
                vk.read_participants(path)
            self.assertIn(expected, str(caught.exception))
            self.assertTrue(str(caught.exception).startswith(path + ":"), str(caught.exception))


class Resources(Folder):
    def row(self, dims):
        path = self.write(f"{'x'.join(map(str, dims))}.nii.gz", nifti1(dims))
        return vk.Row("01", "m", "rest", (path, path), (path,))

    def test_small_series_one_thread_floors_large_more(self):
        small = self.row((12, 14, 10, 40))
        self.assertEqual(vk.subject_threads(small, 4), 1)
        self.assertEqual(vk.subject_runtime(small), vk.MINUTES_FLOOR + 1)
        self.assertEqual(vk.subject_mem_mb(small, 1, vk.FIDELITY_MAPS), vk.BASE_MB + 1)
        large = self.row((91, 109, 91, 300))
        self.assertEqual(vk.subject_threads(large, 4), 4)
        # 902629 voxels x 900 samples x 200 ns: 163 s, 3 minutes over the floor.
        self.assertEqual(vk.subject_runtime(large), vk.MINUTES_FLOOR + 3)
        # 902629 x (200 + 4 x 40) bytes = 310 MiB over the base, 3 more threads' blocks.
        self.assertEqual(vk.subject_mem_mb(large, 4, vk.FIDELITY_MAPS), vk.BASE_MB + 3 * vk.THREAD_MB + 310)
        self.assertGreater(vk.group_mem_mb([large] * 50, 1, vk.FIDELITY_MAPS),
                           vk.subject_mem_mb(large, 1, vk.FIDELITY_MAPS))


if __name__ == "__main__":
    unittest.main()
