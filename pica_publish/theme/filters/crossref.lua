-- pica_publish cross-references, run by pandoc before citeproc.
--
-- Numbers the figures and tables of one article in document order ("Fig. 1", "Table 2"; with the
-- metadata field number-prefix "A": "Fig. A1"), puts the bold label in front of each caption,
-- moves the class "wide" from a figure's image to the figure, and turns citations of labels
-- (@fig:map, [@tbl:threats], @sec:diet) into links with the label's text. Labels that do not
-- exist are reported by `pica-publish check` with their line and column; here they stay as "??".

local NBSP = "\u{00A0}"
local KINDS = { fig = "Fig.", tbl = "Table" }
local PLURALS = { fig = "Figs", tbl = "Tables" }

local function kind_of(id)
  return id:match("^(%a+):")
end

local function with_label(caption_blocks, label)
  local strong = pandoc.Strong({ pandoc.Str(label .. ".") })
  if #caption_blocks > 0 and (caption_blocks[1].t == "Plain" or caption_blocks[1].t == "Para") then
    caption_blocks[1].content:insert(1, pandoc.Space())
    caption_blocks[1].content:insert(1, strong)
  else
    caption_blocks:insert(1, pandoc.Plain({ strong }))
  end
  return caption_blocks
end

function Pandoc(doc)
  local prefix = pandoc.utils.stringify(doc.meta["number-prefix"] or "")
  local counts = { fig = 0, tbl = 0 }
  local labels = {}

  doc = doc:walk({
    Figure = function(figure)
      counts.fig = counts.fig + 1
      local number = prefix .. counts.fig
      if figure.identifier ~= "" then
        labels[figure.identifier] = { kind = "fig", number = number }
      end
      local wide = false
      figure = figure:walk({
        Image = function(image)
          if image.classes:includes("wide") then
            wide = true
            image.classes = image.classes:filter(function(c) return c ~= "wide" end)
          end
          return image
        end,
      })
      if wide and not figure.classes:includes("wide") then
        figure.classes:insert("wide")
      end
      figure.caption.long = with_label(figure.caption.long, "Fig." .. NBSP .. number)
      return figure
    end,
    Table = function(table)
      counts.tbl = counts.tbl + 1
      local number = prefix .. counts.tbl
      if table.identifier ~= "" then
        labels[table.identifier] = { kind = "tbl", number = number }
      end
      table.caption.long = with_label(table.caption.long, "Table" .. NBSP .. number)
      return table
    end,
    Header = function(header)
      if header.identifier:match("^sec:") then
        labels[header.identifier] = { kind = "sec", text = pandoc.utils.stringify(header.content) }
      end
      return header
    end,
  })

  return doc:walk({
    Cite = function(cite)
      for _, citation in ipairs(cite.citations) do
        if not (KINDS[kind_of(citation.id)] or kind_of(citation.id) == "sec") then
          return nil -- a literature citation: citeproc's job
        end
      end
      local kind = kind_of(cite.citations[1].id)
      local same_kind = true
      for _, citation in ipairs(cite.citations) do
        if kind_of(citation.id) ~= kind then same_kind = false end
      end
      local out = pandoc.Inlines({})
      for index, citation in ipairs(cite.citations) do
        local label = labels[citation.id]
        local text
        if label == nil then
          text = "??"
        elseif label.kind == "sec" then
          text = label.text
        elseif index == 1 and #cite.citations > 1 and same_kind then
          text = PLURALS[label.kind] .. NBSP .. label.number
        elseif index == 1 or not same_kind then
          text = KINDS[label.kind] .. NBSP .. label.number
        else
          text = label.number
        end
        if index > 1 then
          out:insert(pandoc.Str(index == #cite.citations and same_kind and " and" or ","))
          out:insert(pandoc.Space())
        end
        out:insert(pandoc.Link({ pandoc.Str(text) }, "#" .. citation.id, "", { class = "cross-ref" }))
      end
      if cite.citations[1].mode == "NormalCitation" then
        out:insert(1, pandoc.Str("("))
        out:insert(pandoc.Str(")"))
      end
      return out
    end,
  })
end
