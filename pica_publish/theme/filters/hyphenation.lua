-- The house hyphenation exceptions (theme/hyphenation.txt, passed as the metadata list
-- `hyphenation-exceptions`), run by pandoc after citeproc, for the HTML that is laid out.
--
-- Each listed word ("Ka-zakh-stan", "Asian") is matched as a whole word, in any case, and
-- replaced by the word as written in the text with soft hyphens (U+00AD) at the listed break
-- points, in a Span of class `hyph-manual` that the print stylesheet sets to `hyphens: manual`:
-- the layout may break it only there ("Asian", with no break point, never). Punctuation around
-- the word stays outside the Span: "(Kazakhstan," → "(" [Ka­zakh­stan]{.hyph-manual} ",".
--
-- Headings, citations and the reference list are left alone: the print edition never hyphenates
-- them, and a soft hyphen in a heading would reach the PDF outline. Other formats (JATS) are
-- left alone too: soft hyphens are a matter of layout.

local SOFT_HYPHEN = "\u{00AD}"

-- Characters that end a word besides ASCII punctuation: dashes, quotes, spaces, ellipsis.
local SEPARATORS = {}
for _, code in ipairs({
  0x00A0, 0x00AD, 0x2009, 0x200A, 0x202F, 0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2015,
  0x2018, 0x2019, 0x201C, 0x201D, 0x2026, 0x00AB, 0x00BB, 0x2032, 0x2033, 0x00B0,
}) do
  SEPARATORS[code] = true
end

local exceptions = {} -- lower-case word → set of character positions to break after

local function is_word_char(code)
  if code < 0x80 then
    return (code >= 0x30 and code <= 0x39) or (code >= 0x41 and code <= 0x5A)
      or (code >= 0x61 and code <= 0x7A)
  end
  return not SEPARATORS[code]
end

local function read_exceptions(meta)
  for _, item in ipairs(meta["hyphenation-exceptions"] or {}) do
    local entry = pandoc.utils.stringify(item)
    local word, breaks, count = {}, {}, 0
    for _, code in utf8.codes(entry) do
      if code == 0x2D then -- "-": a break point after the characters so far
        breaks[count] = true
      else
        count = count + 1
        word[#word + 1] = utf8.char(code)
      end
    end
    if count > 0 then
      exceptions[pandoc.text.lower(table.concat(word))] = breaks
    end
  end
end

-- The word as written, with a soft hyphen after each listed position.
local function with_soft_hyphens(word, breaks)
  local out, count = {}, 0
  for _, code in utf8.codes(word) do
    count = count + 1
    out[#out + 1] = utf8.char(code)
    if breaks[count] then
      out[#out + 1] = SOFT_HYPHEN
    end
  end
  return table.concat(out)
end

-- A Str as inlines, or nil when it holds no listed word.
local function hyphenate(text)
  local out = pandoc.Inlines({})
  local pending, word = {}, {}
  local changed = false
  local function flush_word()
    if #word == 0 then
      return
    end
    local written = table.concat(word)
    local breaks = exceptions[pandoc.text.lower(written)]
    if breaks then
      if #pending > 0 then
        out:insert(pandoc.Str(table.concat(pending)))
        pending = {}
      end
      local span = pandoc.Span({ pandoc.Str(with_soft_hyphens(written, breaks)) })
      span.classes = { "hyph-manual" }
      out:insert(span)
      changed = true
    else
      pending[#pending + 1] = written
    end
    word = {}
  end
  for _, code in utf8.codes(text) do
    if is_word_char(code) then
      word[#word + 1] = utf8.char(code)
    else
      flush_word()
      pending[#pending + 1] = utf8.char(code)
    end
  end
  flush_word()
  if not changed then
    return nil
  end
  if #pending > 0 then
    out:insert(pandoc.Str(table.concat(pending)))
  end
  return out
end

local function leave_alone(element)
  return element, false
end

if not FORMAT:match("html") then
  return {}
end

return {
  { Meta = read_exceptions },
  {
    traverse = "topdown",
    Header = leave_alone,
    Cite = leave_alone,
    Code = leave_alone,
    Div = function(div)
      if div.classes:includes("csl-bib-body") or div.classes:includes("references") then
        return div, false
      end
      return nil
    end,
    Str = function(str)
      if next(exceptions) == nil then
        return nil
      end
      -- false: not into the new Span, whose word would match again
      return hyphenate(str.text), false
    end,
  },
}
