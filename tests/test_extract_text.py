import pytest
from conftest import SAMPLE

from pipeline.errors import DocumentError
from pipeline.extract import extract
from pipeline.extract.text import decode


def test_text_extractor_yields_headings_paragraphs_and_grids_in_order():
    blocks = extract(SAMPLE.read_bytes(), "text/plain", "sample")
    kinds = [b.kind for b in blocks]
    assert kinds[:3] == ["paragraph", "paragraph", "heading"]
    assert blocks[2].text == "目 录" and blocks[2].level == 1
    grids = [b for b in blocks if b.kind == "table"]
    assert len(grids) == 30  # 29 under headings, one under a plain title line
    first = grids[0]
    assert first.where == "line 146"
    assert first.rows[2] == ("一、本级财政拨款收入", "5,073.08", "一、基本支出", "2,598.03")
    assert first.row_where[:3] == ("line 146", "line 147", "line 148")


def test_markdown_emphasis_and_bullets_are_removed_from_text():
    blocks = extract("## **第一部分**\n\n- 一、部门基本概况\n".encode(), "text/plain", "x")
    assert [(b.kind, b.text) for b in blocks] == [("heading", "第一部分"),
                                                  ("paragraph", "一、部门基本概况")]


def test_gbk_text_is_decoded_as_gb18030():
    assert decode("单位：万元".encode("gbk")) == "单位：万元"


def test_an_empty_file_is_an_error_naming_the_document():
    with pytest.raises(DocumentError, match="empty.txt: the file is empty"):
        extract(b"  \n", "text/plain", "empty.txt")


def test_an_unknown_media_type_is_an_error_naming_the_document():
    with pytest.raises(DocumentError, match=r"scan.tiff: its content is application/octet-stream \(declared image/tiff\); no extractor"):
        extract(b"II*\x00\x08\x00", "image/tiff", "scan.tiff")
