-- pica_publish page breaks, run by pandoc before citeproc.
--
-- \newpage (or \pagebreak, \clearpage, \cleardoublepage) alone in a top-level paragraph: raw
-- TeX is off, so pandoc reads it as the text "\newpage". It becomes an empty
-- <div class="page-break">, which the print style turns into a page break and the web edition
-- does not show. Anywhere else (in a sentence, a list, a quotation, a div) `pica-publish check`
-- refuses it with its line.

local COMMANDS = {
  ["\\newpage"] = true, ["\\pagebreak"] = true, ["\\clearpage"] = true, ["\\cleardoublepage"] = true,
}

-- Returns nil (the document unchanged, not read back) when there is no page break: handing a
-- whole document back to pandoc costs as much as the rest of this filter.
function Pandoc(doc)
  local changed = false
  for index, block in ipairs(doc.blocks) do
    if block.t == "Para" and #block.content == 1 and block.content[1].t == "Str"
        and COMMANDS[block.content[1].text] then
      doc.blocks[index] = pandoc.Div({}, { class = "page-break" })
      changed = true
    end
  end
  if changed then
    return doc
  end
  return nil
end
