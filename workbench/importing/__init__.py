"""Bring your own guidelines: PDF, HTML, Markdown, plain text and DOCX into excerpts.

formats      which reader reads a file; unknown or unreadable files are refused
pdf_reader   pypdf: text runs with font sizes; headings by size; running heads dropped
html_reader  trafilatura: the main text without navigation and footers
docx_reader  python-docx: paragraphs and tables; headings by style
text_reader  Markdown and plain text, by our own heading parser
chunking     headings first, then paragraphs to a target length, whole sentences
ids          stable ids, and versions carried over from the previous import
writer       all-or-nothing writing into a data set folder
importer     `import_documents`, and the summary of what changed
"""

from workbench.importing.importer import DocumentReport, ImportResult, import_documents

__all__ = ["DocumentReport", "ImportResult", "import_documents"]
