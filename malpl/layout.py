"""Where a goals repository keeps its inputs: the names every layer agrees on."""

CONFIG_NAME = "malpl.yaml"
GOALS_DIR = "goals"
KOLADA_DIR = "data/kolada"
YAML_SUFFIXES = (".yaml", ".yml")
MAX_FILE_BYTES = 64 * 2**20  # a goal file is kilobytes; this guards against /dev/zero
