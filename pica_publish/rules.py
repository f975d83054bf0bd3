"""Every diagnostic rule, declared once, as data.

A :class:`Rule` names one kind of problem: its stable id (printed in brackets after each
message), its default severity, what it means and the hint printed when the call site has none
more precise. Stages report through these objects (``report.add(rules.CITATION_UNKNOWN, …)``),
so an unknown id cannot be reported. ``issue.yml`` may change a rule's severity (``rules:
{heading-skip: error, bib-uncited: off}``), except for the *fixed* rules: refusals that keep
the build safe, and problems whose output would be wrong.

``python -m pica_publish.rules > docs/rules.md`` writes the reference table (``make rules``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from pica_publish.diagnostics import (
    Location,
    Report,
    Rule,  # defined with Report, which takes it
    Severity,
    did_you_mean,
)

ERROR, WARNING, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO


def _rule(
    rule_id: str,
    severity: Severity,
    stage: str,
    summary: str,
    hint: str = "",
    *,
    fixed: bool = False,
) -> Rule:
    return Rule(rule_id, severity, stage, summary, hint, fixed)


# fmt: off
# Declarations as a table: id, default severity, stage, summary, then the default hint.

# --- load: the project's files, issue.yml, chapter files and front matter -----------------------

BUILD_FOLDER_COMMITTED = _rule(
    "build-folder-committed", ERROR, "load",
    "build/ is a symbolic link, or holds files committed to git (a forged layout cache)",
    "remove it: build/ is made by the build and never committed", fixed=True,
)
MANIFEST_MISSING = _rule(
    "manifest-missing", ERROR, "load",
    "the project folder has no issue.yml",
    "run in the project folder, or pass -C DIR", fixed=True,
)
FILE_REFUSED = _rule(
    "file-refused", ERROR, "load",
    "an input file is not a regular file inside the project, or is too large",
    "inputs must be regular files inside the project (no symlinks that leave it)", fixed=True,
)
FILE_ENCODING = _rule(
    "file-encoding", ERROR, "load",
    "an input file is not UTF-8",
    "save the file as UTF-8 (in Zotero/JabRef: export with UTF-8 encoding)", fixed=True,
)
YAML_SYNTAX = _rule(
    "yaml-syntax", ERROR, "load",
    "issue.yml or a chapter's front matter is not valid YAML",
    fixed=True,
)
SCHEMA_TYPE = _rule(
    "schema-type", ERROR, "load",
    "issue.yml or a chapter's front matter is not a mapping of fields",
    fixed=True,
)
SCHEMA_UNKNOWN_FIELD = _rule(
    "schema-unknown-field", WARNING, "load",
    "a field the schema does not know; it is dropped and validation goes on",
)
SCHEMA_MISSING_FIELD = _rule(
    "schema-missing-field", ERROR, "load",
    "a required field of issue.yml or of the front matter is missing",
    fixed=True,
)
SCHEMA_INVALID = _rule(
    "schema-invalid", ERROR, "load",
    "a field's value has the wrong type or form (ISSN, ORCID, e-mail, URL, DOI pattern…)",
    fixed=True,
)
TEXT_CONTROL_CHARACTER = _rule(
    "text-control-character", ERROR, "load",
    "a field or a chapter's text holds an invisible control character (C0/C1, bidi override)",
    "retype the text; it was probably pasted from a PDF or a word processor", fixed=True,
)
RULES_UNKNOWN = _rule(
    "rules-unknown", ERROR, "load",
    "issue.yml's 'rules' names a rule that does not exist",
    "the rule ids are listed in docs/rules.md", fixed=True,
)
RULES_FIXED = _rule(
    "rules-fixed", ERROR, "load",
    "issue.yml's 'rules' changes a rule that guards the safety or correctness of the outputs",
    "remove the line: this rule cannot be changed", fixed=True,
)
MANIFEST_OUTSIDE = _rule(
    "manifest-outside", ERROR, "load",
    "a chapter file listed in issue.yml lies outside the project",
    fixed=True,
)
MANIFEST_DUPLICATE = _rule(
    "manifest-duplicate", ERROR, "load",
    "a chapter file is listed twice in issue.yml",
    fixed=True,
)
MANIFEST_MISSING_FILE = _rule(
    "manifest-missing-file", ERROR, "load",
    "a chapter file listed in issue.yml does not exist",
    "check the path in issue.yml", fixed=True,
)
CHAPTER_FILENAME = _rule(
    "chapter-filename", ERROR, "load",
    "a chapter file name is not NN-slug.md (the slug becomes ids, URLs and file names)",
    "use lowercase letters, digits and hyphens, e.g. chapters/03-central-asia.md", fixed=True,
)
CHAPTER_SLUG_DUPLICATE = _rule(
    "chapter-slug-duplicate", ERROR, "load",
    "two chapters have the same slug (file name without its number)",
    "slugs (the file name without its number) must be unique", fixed=True,
)
CHAPTER_ROLE_MISMATCH = _rule(
    "chapter-role-mismatch", ERROR, "load",
    "a chapter's front matter gives another role than issue.yml (issue.yml wins)",
    "remove 'role' from the front matter or make it agree with issue.yml",
)
CHAPTER_UNLISTED = _rule(
    "chapter-unlisted", WARNING, "load",
    "a chapter file is not listed in issue.yml and will not be published",
    "add it to 'chapters' in issue.yml, or move it out of chapters/",
)
ORDER_NO_STRATEGY = _rule(
    "order-no-strategy", ERROR, "load",
    "no chapter has role 'strategy'",
    "mark the strategy chapter with 'role: strategy'; it must be the last chapter",
)
ORDER_STRATEGY_TWICE = _rule(
    "order-strategy-twice", ERROR, "load",
    "more than one chapter has role 'strategy'",
)
ORDER_STRATEGY_NOT_LAST = _rule(
    "order-strategy-not-last", ERROR, "load",
    "a numbered chapter comes after the strategy chapter",
    "move the strategy chapter below every other chapter in issue.yml",
)
ORDER_FRONT_MATTER = _rule(
    "order-front-matter", ERROR, "load",
    "an editorial or prologue comes after the numbered chapters",
)
ORDER_BACK_MATTER = _rule(
    "order-back-matter", ERROR, "load",
    "an appendix comes before a numbered chapter",
)
FRONT_MATTER_MISSING = _rule(
    "front-matter-missing", ERROR, "load",
    "a chapter does not start with a YAML front matter block",
    "start the file with a line '---', the title, authors…, then a closing '---'", fixed=True,
)
FRONT_MATTER_TOOL_KEY = _rule(
    "front-matter-tool-key", ERROR, "load",
    "a front-matter key of R Markdown, Quarto or LaTeX (output, format, header-includes, "
    "bibliography, csl…) that the house style does not use",
    "remove it: the editors set layout, bibliography and citation style for the whole issue",
)
FRONT_MATTER_MATH = _rule(
    "front-matter-math", ERROR, "check",
    "TeX math ($…$) in a front-matter field (title, abstract, keywords), which is printed as text",
    "front-matter fields are text: write the symbols themselves (α-diversity, δ¹³C, µm), or "
    "move the formula into the body", fixed=True,
)
FRONT_MATTER_UNCLOSED = _rule(
    "front-matter-unclosed", ERROR, "load",
    "a chapter's front matter has no closing '---'",
    "add a line '---' after the last front-matter field", fixed=True,
)

# --- load: the commonest YAML mistakes, each explained with the corrected line (yamlmistakes.py) -

YAML_TAB = _rule(
    "yaml-tab", ERROR, "load",
    "a tab in issue.yml or the front matter where YAML allows only spaces (indentation)",
    "indent with spaces: two per level", fixed=True,
)
YAML_COLON_IN_VALUE = _rule(
    "yaml-colon-in-value", ERROR, "load",
    "a value holds ': ' without quotes (title: Pallas's cat: a review), which YAML reads as a "
    "second key",
    "put the whole value in double quotes", fixed=True,
)
YAML_COLON_SPACE = _rule(
    "yaml-colon-space", ERROR, "load",
    "a key without a space after its colon (title:Pallas's cat)",
    "write a space after the colon", fixed=True,
)
YAML_UNCLOSED = _rule(
    "yaml-unclosed", ERROR, "load",
    "a quote, '[' or '{' that opens a value and is never closed on its line",
    "close it at the end of the value", fixed=True,
)
YAML_TEXT_AFTER_QUOTE = _rule(
    "yaml-text-after-quote", ERROR, "load",
    "text after the closing quote of a value (title: \"Manul\" in Mongolia)",
    "quote the whole value", fixed=True,
)
YAML_LIST_DASH = _rule(
    "yaml-list-dash", ERROR, "load",
    "a list item without a space after its '-' (-name: Jane Doe), which YAML reads as text",
    "write a space after the '-'", fixed=True,
)
YAML_INDENTATION = _rule(
    "yaml-indentation", ERROR, "load",
    "a key indented more or less than the keys it belongs with",
    "indent it exactly like the key above it that it belongs with", fixed=True,
)
YAML_DUPLICATE_KEY = _rule(
    "yaml-duplicate-key", ERROR, "load",
    "a key given twice in the same mapping (YAML would keep only one of the values)",
    "keep one of the two lines", fixed=True,
)
YAML_RESERVED_START = _rule(
    "yaml-reserved-start", ERROR, "load",
    "a value starting with a character YAML reserves (@ ` % * & ! [ { | > ?), e.g. *italics* or "
    "@handle",
    "put the whole value in double quotes", fixed=True,
)
YAML_NOT_TEXT = _rule(
    "yaml-not-text", ERROR, "load",
    "a text field given a value YAML reads as true/false or a number (short_title: true, "
    "keywords: [manul, 2019])",
    "quote it to keep it as text", fixed=True,
)
AUTHORS_AS_TEXT = _rule(
    "authors-as-text", ERROR, "load",
    "authors (or issue.yml's editors) written as one line of text instead of a list of names",
    "write one '- name: …' entry per person", fixed=True,
)

# --- load: the bibliography ---------------------------------------------------------------------

BIB_NONE = _rule(
    "bib-none", WARNING, "load",
    "the project has no references/*.bib",
    "export your references from Zotero/JabRef as BibTeX into references/",
)
BIB_DUPLICATE_KEY = _rule(
    "bib-duplicate-key", ERROR, "load",
    "two bibliography entries have the same key",
    "rename one of the entries or delete the copy", fixed=True,
)
BIB_PARSE_FAILED = _rule(
    "bib-parse-failed", ERROR, "load",
    "a BibTeX block cannot be read (its entry is lost)",
    "check braces and commas; the rest of the file is still used", fixed=True,
)
BIB_MERGE_CONFLICT = _rule(
    "bib-merge-conflict", ERROR, "load",
    "a git merge conflict marker in the bibliography",
    "resolve the conflict: keep one version of the entries and delete the marker lines",
    fixed=True,
)
BIB_STRAY_BRACE = _rule(
    "bib-stray-brace", ERROR, "load",
    "a closing brace outside any bibliography entry",
    "the entry above has one '}' too many", fixed=True,
)
BIB_CROSSREF_LOOP = _rule(
    "bib-crossref-loop", ERROR, "load",
    "a crossref/xref/xdata chain comes back to its entry (pandoc would never finish)",
    "remove the crossref/xdata field that closes the loop", fixed=True,
)
BIB_MISSING_COMMA = _rule(
    "bib-missing-comma", ERROR, "load",
    "two fields of a BibTeX entry have no comma between them (pandoc stops reading the file)",
    "add a comma after the value of the first field", fixed=True,
)
BIB_KEY_INVALID = _rule(
    "bib-key-invalid", ERROR, "load",
    "an entry has no key, or a key with a space or one of { } \" # % ~ \\ (pandoc stops "
    "reading the file)",
    "give the entry a key of letters, digits and - _ : . /", fixed=True,
)
BIB_KEY_CITATION = _rule(
    "bib-key-citation", WARNING, "load",
    "a key that the citation syntax @key cannot spell (it ends at a character such as ( ' = ;)",
    "rename the key, or cite it with braces: [@{key}]",
)
BIB_KEY_CASE = _rule(
    "bib-key-case", ERROR, "load",
    "two keys differ only in upper/lower case (BibTeX treats them as one entry)",
    "rename one of them, or delete the copy",
)
BIB_FIELD_DUPLICATE = _rule(
    "bib-field-duplicate", ERROR, "load",
    "a field appears twice in one entry",
    "keep one of the two values and delete the other line", fixed=True,
)
BIB_MACRO_UNDEFINED = _rule(
    "bib-macro-undefined", ERROR, "load",
    "a field value is a bare word that no @string defines (it would print as nothing)",
    "define it with @string{name = {…}}, or put the value in braces: journal = {…}",
)
BIB_SET_ENTRY = _rule(
    "bib-set-entry", ERROR, "load",
    "a BibLaTeX @set entry (pandoc cannot print it: it would show as 'n.d.')",
    "cite the member entries of the set one by one and delete the @set", fixed=True,
)
BIB_DOI_INVALID = _rule(
    "bib-doi-invalid", WARNING, "load",
    "a doi field holds no DOI (it is left out of the reference list and the exports)",
    "give the DOI as 10.xxxx/…; put a web address in the url field",
)
BIB_LATEX_UNKNOWN = _rule(
    "bib-latex-unknown", WARNING, "load",
    "a LaTeX command in a printed field that pandoc does not understand (it would be dropped)",
    "write the character itself (UTF-8), e.g. — instead of \\textemdash",
)
BIB_MATH = _rule(
    "bib-math", WARNING, "load",
    "TeX math in a printed field that cannot be set as text",
    "write the symbols as UTF-8 text (Δ, α, ², ±) instead of $…$",
)
BIB_HTML_MARKUP = _rule(
    "bib-html-markup", WARNING, "load",
    "HTML markup of CSL rich text (i, b, sup, sub, span tags) in a printed field whose tags are "
    "not closed in order (they would print as text)",
    "close each tag inside its braces, or write LaTeX: \\textit{…}, \\textbf{…}, "
    "\\textsuperscript{…}, \\textsubscript{…}, \\textsc{…}, {…} for nocase",
)

# --- check: chapter bodies, bylines, citations, images ------------------------------------------

CITATION_UNKNOWN = _rule(
    "citation-unknown", ERROR, "check",
    "a citation key that no bibliography entry has",
    "add the entry to a file in references/", fixed=True,
)
LABEL_DUPLICATE = _rule(
    "label-duplicate", ERROR, "check",
    "a figure, table or section label is defined twice in a chapter",
    "give each figure, table and section its own label", fixed=True,
)
CROSS_REF_UNRESOLVED = _rule(
    "cross-ref-unresolved", ERROR, "check",
    "a cross-reference (@fig:x, @tbl:x, @sec:x) to a label the chapter does not define",
    fixed=True,
)
MATH_INVALID = _rule(
    "math-invalid", ERROR, "check",
    "a formula the math converters cannot set (TeX they do not know, or an unbalanced brace)",
    "write the formula in the LaTeX math subset that latex2mathml reads", fixed=True,
)
MATH_TOO_COMPLEX = _rule(
    "math-too-complex", ERROR, "check",
    "a formula too long, nested too deep, or too slow to set",
    "split the formula into smaller ones", fixed=True,
)
MATH_UNSAFE = _rule(
    "math-unsafe", ERROR, "check",
    "a formula with a link, style or class (\\href, \\style, \\class): never kept",
    "remove the command; formulas carry math only", fixed=True,
)
CROSS_REF_TYPED = _rule(
    "cross-ref-typed", WARNING, "check",
    "'Fig. 3' or 'Table 2' typed by hand: it will not follow renumbering",
    "label the figure or table and write @fig:name or @tbl:name instead",
)
CITATION_AS_TEXT = _rule(
    "citation-as-text", WARNING, "check",
    "an author-year citation typed as text, '(Ross et al. 2010)': it is not linked to its entry, "
    "and the references will not list it",
    "cite the entry by its key, e.g. [@ross2010den]",
)
IMPORT_TODO = _rule(
    "import-todo", ERROR, "check",
    "a TODO(import) mark: what `pica-publish import` could not carry over from the manuscript",
    "do what the mark says, then delete the mark",
)
HEADING_LEVEL_1 = _rule(
    "heading-level-1", WARNING, "check",
    "a level-1 heading in a body (the article title is the only one)",
    "use '##' for sections and '###' for subsections",
)
HEADING_SKIP = _rule(
    "heading-skip", WARNING, "check",
    "a heading skips a level (## then ####)",
)
RAW_HTML = _rule(
    "raw-html", WARNING, "check",
    "raw HTML in a chapter body; the HTML edition sanitises it",
    "use Markdown instead of HTML",
)
RAW_HTML_MEDIA = _rule(
    "raw-html-media", ERROR, "check",
    "an <img>, <svg>, <iframe> or other media element in raw HTML",
    "use Markdown for figures: ![Caption](figures/name.png){#fig:name}", fixed=True,
)
BODY_METADATA_BLOCK = _rule(
    "body-metadata-block", ERROR, "check",
    "a YAML metadata block in a chapter body (it could steer pandoc)",
    "put article fields in the front matter at the top; options such as bibliography or csl "
    "are set by the editors", fixed=True,
)
BODY_RAW_FORMAT = _rule(
    "body-raw-format", ERROR, "check",
    "a raw {=format} block or span (raw HTML, TeX…) in a chapter body",
    "write it in Markdown; figures go in chapters/figures/ as ![alt](figures/x.svg)", fixed=True,
)
BODY_RAW_TEX = _rule(
    "body-raw-tex", ERROR, "check",
    "raw TeX in a chapter body (\\textbf{x}, \\vspace{1cm}, \\begin{center}): pandoc would "
    "print it as text; \\newpage alone in a paragraph is a page break in print",
    "write it in Markdown (**bold**, *italics*), or remove it", fixed=True,
)
BODY_EXECUTABLE_CHUNK = _rule(
    "body-executable-chunk", ERROR, "check",
    "a knitr/Quarto code chunk (```{r}, ```{python}, `r x`) that nothing here runs",
    "render the R Markdown/Quarto document to Markdown first (e.g. quarto render --to md, "
    "or rmarkdown::render(output_format = 'md_document'))", fixed=True,
)
BODY_SHORTCODE = _rule(
    "body-shortcode", ERROR, "check",
    "a Quarto/Hugo shortcode ({{< include x.md >}}) that nothing here expands",
    "render with Quarto to Markdown first, or write plain Markdown", fixed=True,
)
BODY_MERGE_CONFLICT = _rule(
    "body-merge-conflict", ERROR, "check",
    "a git merge-conflict marker line (<<<<<<<, =======, >>>>>>>) in a chapter",
    "resolve the conflict: keep the right text and delete the marker lines", fixed=True,
)
CALLOUT_UNKNOWN = _rule(
    "callout-unknown", WARNING, "check",
    "a Quarto callout of a type the house style has no box for: it prints as plain paragraphs",
    "use .callout-note, .callout-tip, .callout-warning, .callout-important or .callout-caution",
)
FENCED_DIV_UNBALANCED = _rule(
    "fenced-div-unbalanced", ERROR, "check",
    "a fenced div (::: {.class}) that is never closed, or a ::: that closes none",
    "close each ::: {…} with a ::: line, and delete stray ::: lines", fixed=True,
)
REFS_DIV_MISPLACED = _rule(
    "refs-div-misplaced", ERROR, "check",
    "a ::: {#refs} div that is not empty and last: the references would be placed there",
    "remove it: the reference list always ends the article", fixed=True,
)
FIGURE_IN_TEXT = _rule(
    "figure-in-text", ERROR, "check",
    "an image inside a paragraph with other text: no figure, caption or number",
    "put the figure in a paragraph of its own: a blank line before and after",
)
LINK_LOCAL_FILE = _rule(
    "link-local-file", ERROR, "check",
    "a link to a file on the author's computer (file://, C:\\…, \\\\server\\…)",
    "link to a web address, or put the file in the project and publish it", fixed=True,
)
BODY_NESTING = _rule(
    "body-nesting", ERROR, "check",
    "quotes, lists or emphasis nested too deeply to convert and lay out safely",
    "flatten the structure", fixed=True,
)
ABSTRACT_IMAGE = _rule(
    "abstract-image", ERROR, "check",
    "an abstract holds an image",
    "abstracts are text only; put figures in the body", fixed=True,
)
ABSTRACT_TOO_LONG = _rule(
    "abstract-too-long", WARNING, "check",
    "an abstract is longer than the house limit",
)
AUTHOR_AFFILIATION_UNDEFINED = _rule(
    "author-affiliation-undefined", ERROR, "check",
    "an author refers to an affiliation key the chapter does not define",
    "define it under 'affiliations' in the front matter", fixed=True,
)
AUTHOR_NAME_AMBIGUOUS = _rule(
    "author-name-ambiguous", WARNING, "check",
    "an author's name has three or more capitalised words and no 'family:', so which of them is "
    "the family name (in citations, reference lists and metadata) is a guess",
    "add 'family:' (and 'given:') to this author, e.g. family: Silva Santos",
)
AUTHOR_CORRESPONDING_EMAIL = _rule(
    "author-corresponding-email", ERROR, "check",
    "the corresponding author has no e-mail address",
    "add 'email:' to this author",
)
AUTHOR_CORRESPONDING_MANY = _rule(
    "author-corresponding-many", ERROR, "check",
    "more than one author of a chapter is marked corresponding",
    "mark exactly one author with 'corresponding: true'",
)
AUTHOR_CORRESPONDING_NONE = _rule(
    "author-corresponding-none", WARNING, "check",
    "no author of a chapter (other than an appendix) is marked corresponding",
    "mark one author with 'corresponding: true' and give an 'email:'",
)
AFFILIATION_UNUSED = _rule(
    "affiliation-unused", WARNING, "check",
    "an affiliation no author of the chapter refers to",
)
BIB_UNCITED = _rule(
    "bib-uncited", INFO, "check",
    "a bibliography entry no chapter cites (shown with -v)",
    "cite it, or leave it: uncited entries are not printed",
)
BIB_ENTRY_INCOMPLETE = _rule(
    "bib-entry-incomplete", WARNING, "check",
    "a cited entry lacks a field the house style prints (author, title, year, journal…)",
    "complete the entry in your reference manager and export it again",
)
IMAGE_ALT_MISSING = _rule(
    "image-alt-missing", ERROR, "check",
    "an image has no alt text (the PDF/UA and HTML editions need one)",
    "describe the image for readers who cannot see it: ![A map of …](…)", fixed=True,
)
IMAGE_REMOTE = _rule(
    "image-remote", ERROR, "check",
    "an image is a URL, not a file in the project (nothing is fetched)",
    "download the image into chapters/figures/ and refer to it by relative path", fixed=True,
)
IMAGE_MISSING = _rule(
    "image-missing", ERROR, "check",
    "an image file does not exist",
    fixed=True,
)
IMAGE_OUTSIDE = _rule(
    "image-outside", ERROR, "check",
    "an image is outside the project, a symlink that leaves it, or not a regular file",
    "keep figures in chapters/figures/ as regular files", fixed=True,
)
FRAME_FILE = _rule(
    "frame-file", ERROR, "check",
    "a cover image, back-cover image or logo named in issue.yml is missing, outside the project "
    "or unreadable",
    "keep the frame's files in frame/ (SVG or PNG logos, JPEG or PNG photographs)", fixed=True,
)
FRAME_IMAGE_RESOLUTION = _rule(
    "frame-image-resolution", WARNING, "check",
    "a cover or back-cover photograph has fewer pixels than 300 dpi at its printed size",
    "ask the photographer for the full-size file: 2551 × 3579 pixels fill the cover with its "
    "bleed at 300 dpi",
)
IMAGE_UNREADABLE = _rule(
    "image-unreadable", ERROR, "check",
    "an image is damaged, too large, of an unsupported format, or an unsafe SVG",
    "save the figure as SVG, PNG or JPEG", fixed=True,
)
PLACEHOLDER_TEXT = _rule(
    "placeholder-text", ERROR, "check",
    "text that `pica-publish new chapter` wrote as a placeholder (YOUR NAME, REPLACE THIS …) "
    "is still in the chapter",
    "replace it with the real text",
)
DOI_CHANGED = _rule(
    "doi-changed", ERROR, "check",
    "an article's DOI differs from the one registered in dois.lock (a changed number, series, "
    "prefix or pattern in issue.yml)",
    "a registered DOI never changes: restore the value in issue.yml", fixed=True,
)
DOI_REGISTERED_MISSING = _rule(
    "doi-registered-missing", ERROR, "check",
    "an article registered in dois.lock is no longer in the issue (its file was renamed or "
    "removed), so its DOI would resolve to nothing",
    "restore the chapter file under its registered slug (chapters/NN-slug.md)",
)
DOI_REGISTRY_INVALID = _rule(
    "doi-registry-invalid", ERROR, "load",
    "dois.lock cannot be read (it is written by `pica-publish register`, never by hand)",
    "restore dois.lock from the repository's history", fixed=True,
)
REGISTER_NO_DOI = _rule(
    "register-no-doi", ERROR, "check",
    "`pica-publish register` was run for an issue without doi_prefix: it has no DOIs",
    "add your Crossref prefix to issue.yml, e.g. doi_prefix: \"10.5555\"", fixed=True,
)
GLYPH_MISSING = _rule(
    "glyph-missing", WARNING, "check",
    "a character no font the theme ships has: it would print in a font of the build machine, "
    "or as a box",
    "write it another way, or ask the editors to add a font for its script to the theme "
    "(pica_publish/theme.py)",
)

# --- convert: pandoc ----------------------------------------------------------------------------

PANDOC_FAILED = _rule(
    "pandoc-failed", ERROR, "convert",
    "pandoc could not convert a chapter",
    fixed=True,
)
PANDOC_WARNING = _rule(
    "pandoc-warning", WARNING, "convert",
    "pandoc warned while converting a chapter",
)
PREVIEW_NOT_LISTED = _rule(
    "preview-not-listed", ERROR, "convert",
    "the chapter to preview is not listed in issue.yml",
    "list it under 'chapters' in issue.yml first", fixed=True,
)
BIB_PANDOC_FAILED = _rule(
    "bib-pandoc-failed", ERROR, "convert",
    "pandoc could not read a bibliography file",
    fixed=True,
)

# --- typeset: the print edition -----------------------------------------------------------------

FONTS_UNAVAILABLE = _rule(
    "fonts-unavailable", ERROR, "typeset",
    "the print fonts cannot be prepared (their cache folder cannot be written)",
    "set PICA_PUBLISH_CACHE to a writable folder", fixed=True,
)
LAYOUT_RESOURCE = _rule(
    "layout-resource", ERROR, "typeset",
    "the layout was stopped: a resource it refuses (outside the project, remote), or too long",
    fixed=True,
)
LAYOUT_WARNING = _rule(
    "layout-warning", WARNING, "typeset",
    "WeasyPrint warned while laying out a part of the issue",
)
LAYOUT_CONTENTS = _rule(
    "layout-contents", ERROR, "typeset",
    "the contents page count does not settle after three layouts",
    fixed=True,
)
PAGES_PROVISIONAL = _rule(
    "pages-provisional", WARNING, "typeset",
    "a chapter preview's page numbers are provisional: no full build of the issue as it is now"
    " says where the chapter starts",
    hint="run `make pdf` (a full build) for the real page numbers",
)
PRINT_EDITION_STALE = _rule(
    "print-edition-stale", WARNING, "web",
    "the print edition is older than the chapters: the web edition leaves out page ranges and"
    " PDF links",
    hint="build both editions (`make pdf html`) to offer the PDFs and page ranges",
)
LAYOUT_WRITE = _rule(
    "layout-write", ERROR, "typeset",
    "the laid-out pages cannot be written as PDF",
    fixed=True,
)
MAKEUP_CAPTION_SEPARATED = _rule(
    "makeup-caption-separated", WARNING, "typeset",
    "a caption is on another page or column than its table or figure",
    "move the table or figure in the text, or shorten the text before it",
)
MAKEUP_TABLE_SPLIT = _rule(
    "makeup-table-split", WARNING, "typeset",
    "a table is split with too few rows on one side",
    "move the table in the text, shorten the text before it or mark it .wide",
)
MAKEUP_HEADING_AT_FOOT = _rule(
    "makeup-heading-at-foot", WARNING, "typeset",
    "a heading is the last thing in a column",
    "shorten or lengthen the text before the heading",
)
MAKEUP_COLUMN_HOLE = _rule(
    "makeup-column-hole", WARNING, "typeset",
    "a column ends with a hole (a block that did not fit went on)",
    "a block that did not fit went on; move it or shorten the text before it",
)
MAKEUP_COLUMN_TOP = _rule(
    "makeup-column-top", WARNING, "typeset",
    "a column's first line is below the column top (out of register)",
    "the column's first line is below the column top: a margin was kept",
)
MAKEUP_TABLE_TOO_WIDE = _rule(
    "makeup-table-too-wide", ERROR, "typeset",
    "a table runs off the page even across it in small type: the print edition cannot show it",
    "fewer or narrower columns, shorter words in the cells, or two tables", fixed=True,
)
MAKEUP_OVERFLOW = _rule(
    "makeup-overflow", WARNING, "typeset",
    "a line or block sticks out of its column",
    "break the long line (code: wrap it; a table: fewer or narrower columns)",
)
MAKEUP_HYPHEN_RUN = _rule(
    "makeup-hyphen-run", WARNING, "typeset",
    "more than two hyphenated line ends in a row",
    "rephrase one of the lines, or add a word to the hyphenation exceptions",
)
MAKEUP_SHORT_LINE = _rule(
    "makeup-short-line", WARNING, "typeset",
    "a short non-final line in a justified paragraph",
    "a long word or link could not be broken: add a soft hyphen or rephrase",
)

# --- web, export, publish -----------------------------------------------------------------------

SEARCH_INDEX_FAILED = _rule(
    "search-index-failed", ERROR, "web",
    "the search index of the HTML edition could not be built",
    "reinstall with `make distclean && make html` (pagefind[bin] ships the indexer)", fixed=True,
)
JATS_FAILED = _rule(
    "jats-failed", ERROR, "export",
    "pandoc could not write a chapter's JATS",
    fixed=True,
)
JATS_INVALID = _rule(
    "jats-invalid", ERROR, "export",
    "the JATS pandoc wrote for a chapter is not well-formed XML",
    fixed=True,
)
PUBLISH_FAILED = _rule(
    "publish-failed", ERROR, "publish",
    "the outputs cannot be written into the build folder (read-only, full, locked)",
    "check that the build folder is writable and the disk has space", fixed=True,
)

# fmt: on


# --- the registry -------------------------------------------------------------------------------

RULES: tuple[Rule, ...] = tuple(value for value in globals().values() if isinstance(value, Rule))
"""Every rule, in declaration order (grouped by stage)."""
BY_ID: Mapping[str, Rule] = {rule.id: rule for rule in RULES}
if len(BY_ID) != len(RULES):  # pragma: no cover - a programming error, found at import
    raise RuntimeError("two rules share an id")
BIB_FIELD_FINDINGS: Mapping[str, Rule] = {
    "command": BIB_LATEX_UNKNOWN,
    "math": BIB_MATH,
    "markup": BIB_HTML_MARKUP,
}
"""The rule of each kind of :class:`pica_publish.bibfields.Finding` (its ``kind``)."""
STAGE_ORDER = ("load", "check", "convert", "typeset", "web", "export", "publish")
if {rule.stage for rule in RULES} - set(STAGE_ORDER):  # pragma: no cover
    raise RuntimeError("a rule names an unknown stage")

OVERRIDES: Mapping[str, Severity | None] = {"error": ERROR, "warning": WARNING, "off": None}
"""The values of ``issue.yml``'s ``rules`` mapping; ``off`` drops the rule's diagnostics."""


def get(rule_id: str) -> Rule:
    """The rule with this id; ``KeyError`` for an id that is not registered."""
    try:
        return BY_ID[rule_id]
    except KeyError:
        raise KeyError(f"no diagnostic rule '{rule_id}' in pica_publish.rules") from None


def severity_overrides(
    settings: Mapping[str, str], locate: Callable[[str], Location], report: Report
) -> dict[str, Severity | None]:
    """The severities ``issue.yml`` sets (``None``: off), by rule id. An unknown id and a fixed
    rule are errors at the id (``locate(rule_id)``) and change nothing."""
    overrides: dict[str, Severity | None] = {}
    for rule_id, value in settings.items():
        rule = BY_ID.get(rule_id)
        if rule is None:
            report.add(
                RULES_UNKNOWN,
                f"unknown rule '{rule_id}' in 'rules'",
                locate(rule_id),
                did_you_mean(rule_id, BY_ID) or None,
            )
        elif rule.fixed:
            report.add(
                RULES_FIXED,
                f"rule '{rule_id}' cannot be changed: it keeps the outputs safe and correct",
                locate(rule_id),
            )
        else:
            overrides[rule_id] = OVERRIDES[value]
    return overrides


HEADER = """\
# Diagnostic rules

<!-- generated from pica_publish/rules.py by `python -m pica_publish.rules` (make rules); do not edit -->

Every problem pica-publish reports names its rule in brackets, e.g.
`chapters/03-x.md:12:5: error: unknown citation key 'rss2010' [citation-unknown]`.
Errors fail the build; warnings fail it only with `--strict`; notes (info) show with `-v`.

`issue.yml` may change the severity of a rule whose last column says *yes*:

```yaml
rules:
  heading-skip: error         # a warning that fails the build
  bib-entry-incomplete: off   # not reported at all
  order-no-strategy: warning
```

The other rules refuse unsafe input, or output that would be wrong: they cannot be changed.
"""


def reference() -> str:
    """``docs/rules.md``: one table per stage."""
    lines = HEADER.splitlines()
    for stage in STAGE_ORDER:
        lines += [
            "",
            f"## {stage}",
            "",
            "| rule | default | what it means | hint | issue.yml may change it |",
            "|---|---|---|---|---|",
        ]
        for rule in RULES:
            if rule.stage == stage:
                cells = (
                    f"`{rule.id}`",
                    str(rule.severity),
                    rule.summary,
                    rule.hint,
                    "no" if rule.fixed else "yes",
                )
                lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


if __name__ == "__main__":
    print(reference(), end="")
