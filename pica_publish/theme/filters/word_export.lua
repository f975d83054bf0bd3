-- The title page of a chapter exported to Word (`pica-publish export docx`), written the way a
-- Word manuscript's title page is read back by `pica-publish import`: the author line with
-- superscript affiliation numbers and * for the corresponding author, one paragraph per
-- affiliation starting with its number, the correspondence line, an Abstract heading with the
-- abstract, a "Keywords:" line. Then the reference list gets its heading, so that an import
-- of the reviewed file leaves the list out (the build writes it).
--
-- Reads the metadata `title-page` (authors: name, marks; affiliations: mark, text;
-- correspondence; keywords) and `title-page-abstract` (blocks), which the exporter sets
-- (pica_publish/word_export.py). Runs after citeproc, before the other filters that do.
--
-- Also: an SVG figure is replaced by the PNG the exporter drew of it (metadata `word-images`:
-- the source as written -> the PNG), as Word before 2016, LibreOffice and other readers of
-- Word files show an SVG with no bitmap beside it as an empty box.

local function text(value)
  return pandoc.utils.stringify(value or "")
end

local function styled(style, blocks)
  return pandoc.Div(blocks, { ["custom-style"] = style })
end

local function byline(authors)
  local inlines = {}
  for number, author in ipairs(authors) do
    if number > 1 then
      inlines[#inlines + 1] = pandoc.Str(",")
      inlines[#inlines + 1] = pandoc.Space()
    end
    inlines[#inlines + 1] = pandoc.Str(text(author.name))
    if text(author.marks) ~= "" then
      inlines[#inlines + 1] = pandoc.Superscript({ pandoc.Str(text(author.marks)) })
    end
  end
  return styled("Byline", { pandoc.Para(inlines) })
end

local function references_heading(blocks)
  for index, block in ipairs(blocks) do
    if block.t == "Div" and block.identifier == "refs" then
      local before = blocks[index - 1]
      if not (before and before.t == "Header") then
        blocks:insert(index, pandoc.Header(2, "References", { id = "references", class = "unnumbered" }))
      end
      return
    end
  end
end

local function bitmaps(doc)
  local drawn = doc.meta["word-images"]
  if not drawn then
    return doc
  end
  doc.meta["word-images"] = nil
  return doc:walk({
    Image = function(image)
      local png = drawn[image.src]
      if png then
        image.src = text(png)
        return image
      end
    end,
  })
end

local function title_page(doc)
  local page = doc.meta["title-page"]
  if not page then
    return doc
  end
  local front = pandoc.Blocks({ byline(page.authors or {}) })
  for _, affiliation in ipairs(page.affiliations or {}) do
    front:insert(styled("Affiliation", {
      pandoc.Para({ pandoc.Superscript({ pandoc.Str(text(affiliation.mark)) }), pandoc.Space(),
        pandoc.Str(text(affiliation.text)) }),
    }))
  end
  if text(page.correspondence) ~= "" then
    front:insert(styled("Correspondence", {
      pandoc.Para({ pandoc.Str("*Correspondence: " .. text(page.correspondence)) }),
    }))
  end
  local abstract = doc.meta["title-page-abstract"]
  if abstract then
    front:insert(pandoc.Header(2, "Abstract", { id = "abstract", class = "unnumbered" }))
    local blocks = pandoc.utils.type(abstract) == "Blocks" and abstract or pandoc.Blocks({ pandoc.Para(abstract) })
    front:insert(styled("Abstract", blocks))
  end
  if text(page.keywords) ~= "" then
    front:insert(styled("Keywords", {
      pandoc.Para({ pandoc.Strong({ pandoc.Str("Keywords:") }), pandoc.Space(), pandoc.Str(text(page.keywords)) }),
    }))
  end
  references_heading(doc.blocks)
  front:extend(doc.blocks)
  doc.blocks = front
  doc.meta["title-page"] = nil
  doc.meta["title-page-abstract"] = nil
  return doc
end

function Pandoc(doc)
  return title_page(bitmaps(doc))
end
