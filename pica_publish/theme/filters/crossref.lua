-- pica_publish cross-references, run by pandoc before citeproc.
--
-- Numbers the figures and tables of one article in document order ("Fig. 1", "Table 2"; with the
-- metadata field number-prefix "A": "Fig. A1"), puts the bold label in front of each caption,
-- moves the class "wide" from a figure's image to the figure, and turns citations of labels
-- (@fig:map, [@tbl:threats], @sec:diet, @eq:energy) into links with the label's text. Labels
-- that do not exist are reported by `pica-publish check` with their line and column; here they
-- stay as "??".
--
-- Display equations labelled the pandoc-crossref way, `$$ E = mc^2 $$ {#eq:energy}` (the label
-- right after the math, in the same paragraph), are numbered "(1)" ("(A1)"): in HTML the math
-- and its number go into <span id="eq:energy" class="equation">, the number in
-- <span class="equation-number">, set flush right by the editions' CSS; in JATS the formula
-- becomes <disp-formula id=…><label>(1)</label>…</disp-formula>. Unlabelled equations are
-- not numbered. The math itself stays TeX: each edition converts it (pica_publish.mathtex).

local NBSP = "\u{00A0}"
local KINDS = { fig = "Fig.", tbl = "Table", eq = "Eq." }
local PLURALS = { fig = "Figs", tbl = "Tables", eq = "Eqs" }

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

-- The label of `{#eq:name}` (also with more attributes: `{#eq:name .class}`) starting at
-- inlines[at]: the name, how many inlines it takes and the text after its closing brace (a
-- full stop); nil if there is none.
local function equation_label(inlines, at)
  local first = inlines[at]
  if first == nil or first.t ~= "Str" then
    return nil
  end
  local name, rest = first.text:match("^{#(eq:[^%s{}]+)(.*)$")
  if name == nil then
    return nil
  end
  local closed, after = rest:match("^([^{}]*)}([^{}]*)$")
  if closed ~= nil then
    return name, 1, after
  end
  if rest ~= "" then
    return nil
  end
  for index = at + 1, #inlines do -- attributes after the label, up to the closing brace
    local inline = inlines[index]
    if inline.t == "Str" and inline.text:match("^[^{}]*}[^{}]*$") then
      return name, index - at + 1, inline.text:match("}(.*)$")
    elseif not (inline.t == "Space" or (inline.t == "Str" and not inline.text:match("[{}]"))) then
      return nil
    end
  end
  return nil
end

-- XML ids as pandoc's JATS writer writes them: characters not allowed in an NCName as UXXXX.
local function jats_id(id)
  local out = {}
  for _, code in utf8.codes(id) do
    local char = utf8.char(code)
    if char:match("^[%w_%-%.]$") or code > 127 then
      out[#out + 1] = char
    else
      out[#out + 1] = string.format("U%04X", code)
    end
  end
  return table.concat(out)
end

-- The numbered equation: a Span for HTML, a raw <disp-formula> for JATS.
local function numbered_equation(math, id, number)
  local label = "(" .. number .. ")"
  if FORMAT:match("jats") then
    local written = pandoc.write(pandoc.Pandoc({ pandoc.Plain({ math }) }), FORMAT)
    local start = written:find("<disp-formula>", 1, true)
    local finish = select(2, written:find("</disp-formula>", 1, true))
    if start ~= nil and finish ~= nil then
      local inner = written:sub(start + #"<disp-formula>", finish)
      return pandoc.RawInline(
        "jats",
        '<disp-formula id="' .. jats_id(id) .. '"><label>' .. label .. "</label>" .. inner
      )
    end
  end
  return pandoc.Span(
    { math, pandoc.Span({ pandoc.Str(label) }, { class = "equation-number" }) },
    { id = id, class = "equation" }
  )
end

function Pandoc(doc)
  local prefix = pandoc.utils.stringify(doc.meta["number-prefix"] or "")
  local counts = { fig = 0, tbl = 0, eq = 0 }
  local labels = {}

  doc = doc:walk({
    Inlines = function(inlines)
      -- most inline lists hold no display math: left alone (nil), not rebuilt and handed back
      local has_display_math = false
      for _, inline in ipairs(inlines) do
        if inline.t == "Math" and inline.mathtype == "DisplayMath" then
          has_display_math = true
          break
        end
      end
      if not has_display_math then
        return nil
      end
      local out = pandoc.Inlines({})
      local index = 1
      while index <= #inlines do
        local inline = inlines[index]
        local name, taken, after = nil, 0, ""
        if inline.t == "Math" and inline.mathtype == "DisplayMath" then
          local at = index + 1
          if inlines[at] ~= nil and inlines[at].t == "Space" then
            at = at + 1
          end
          name, taken, after = equation_label(inlines, at)
          if name ~= nil then
            taken = taken + (at - index - 1)
          end
        end
        if name ~= nil then
          counts.eq = counts.eq + 1
          local number = prefix .. counts.eq
          labels[name] = { kind = "eq", number = number }
          out:insert(numbered_equation(inline, name, number))
          if after ~= "" then
            out:insert(pandoc.Str(after))
          end
          index = index + 1 + taken
        else
          out:insert(inline)
          index = index + 1
        end
      end
      return out
    end,
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
      return nil -- read, not changed
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
