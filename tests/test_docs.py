"""The README documents every command, option, resource and field, and CI runs its test
command."""

import re

import click
from conftest import REPO

from pipeline.cli import main
from pipeline.schema import RESOURCES

README = (REPO / "README.md").read_text(encoding="utf-8")


def test_every_command_and_option_appears_in_the_readme():
    context = click.Context(main)
    for name, command in main.commands.items():
        assert f"budgetwatch {name}" in README, name
        for param in command.get_params(context):
            for option in param.opts:
                if option.startswith("--") and option != "--help":
                    assert option in README, f"{name} {option}"


def test_the_data_dictionary_is_the_schema():
    from pipeline.schema import data_dictionary

    assert data_dictionary() in README


def test_every_resource_and_field_is_in_the_data_dictionary():
    for name, (_, _, _, columns) in RESOURCES.items():
        section = README.split(f"### `{name}`")[1].split("###")[0]
        for field, *_ in columns:
            assert f"| `{field}` |" in section, f"{name}.{field}"


def test_the_readme_opens_with_exactly_two_setup_commands_and_ci_runs_the_second():
    blocks = re.findall(r"```sh\n(.*?)\n```", README.split("## ")[0], re.S)
    assert blocks == ["pip install -e . && budgetwatch run",
                      'pip install -e ".[test,ocr]" && python -m pytest -q']
    ci = (REPO / ".ci/run").read_text(encoding="utf-8")
    assert ci.strip().splitlines()[-1] == blocks[1]
