-- malpl.lua: gives the GitHub-readable report Markdown its Word and HTML structure,
-- and keeps the output inert whatever a template writes.
--  * Only inline pictures (data:image/png or jpeg URIs, and svg+xml in HTML) stay images;
--    any other image becomes its description, so nothing is read from disk or the network.
--    A picture's title becomes its alt text; its description stays the visible caption.
--  * Raw HTML other than <br> becomes visible text; links to javascript: lose their target.
--  * In table cells "<br><br>" separates paragraphs and "<br>" breaks a line, so a
--    comment's paragraphs become real paragraphs in Word. malpl writes Word's own
--    breaks for a DOCX (two exact OOXML snippets, let through here) and says so with
--    the metadata malpl-split-cells: false, which spares this filter the cells.
--  * <span color="#rrggbb">●</span> becomes coloured text (the assessment symbol).
--    In Word it takes the character style Bedömningssymbol: a ● is drawn smaller than a
--    letter of the same size, so the reference document sets it larger than the text.
--  * Word: a short paragraph between a heading and what the heading is about (the goal's
--    level, "Bidrar till …", an assessment) keeps with the next block, so none is left at
--    the foot of a page without its table or comment (the paragraph style Håll ihop).

local function is_br(inline)
  return inline.t == "RawInline" and inline.format == "html"
    and inline.text:match("^<br%s*/?>$") ~= nil
end

-- The only OOXML a template may write: malpl's line and paragraph breaks in a cell.
local WORD_BREAK = "<w:r><w:br/></w:r>"
local WORD_PARAGRAPH = '</w:p><w:p><w:pPr><w:pStyle w:val="Compact"/></w:pPr>'

local DOCX = FORMAT:match("docx") ~= nil

local function is_word_break(raw)
  if not (DOCX and raw.format == "openxml") then return false end
  local text = raw.text
  return text == WORD_BREAK or text == WORD_PARAGRAPH
end

-- Whether table cells may hold <br> to split; malpl says when they do not.
local split_cells = true

local function read_flags(meta)
  split_cells = meta["malpl-split-cells"] ~= false
  meta["malpl-split-cells"] = nil  -- not a document property
  return meta
end

local function split_paragraphs(inlines)
  local blocks, current, breaks = pandoc.List(), pandoc.List(), 0
  local function flush()
    if #current > 0 then blocks:insert(pandoc.Plain(current)) end
    current = pandoc.List()
  end
  for _, inline in ipairs(inlines) do
    if is_br(inline) then
      breaks = breaks + 1
    else
      if breaks >= 2 then flush() elseif breaks == 1 then current:insert(pandoc.LineBreak()) end
      breaks = 0
      current:insert(inline)
    end
  end
  flush()
  if #blocks > 1 then  -- several paragraphs: real <p>s in HTML, spaced paragraphs in Word
    for i, block in ipairs(blocks) do blocks[i] = pandoc.Para(block.content) end
  end
  return blocks
end

local function fix_cell(cell)
  local blocks = pandoc.List()
  for _, block in ipairs(cell.contents) do
    if block.t == "Plain" or block.t == "Para" then
      blocks:extend(split_paragraphs(block.content))
    else
      blocks:insert(block)
    end
  end
  -- Word: a cell's paragraphs keep the table's own paragraph style, as a single one does.
  if FORMAT:match("docx") and #blocks > 1 then
    blocks = {pandoc.Div(blocks, pandoc.Attr("", {}, {["custom-style"] = "Compact"}))}
  end
  cell.contents = blocks
  return cell
end

local function fix_rows(rows)
  for _, row in ipairs(rows) do
    for i, cell in ipairs(row.cells) do row.cells[i] = fix_cell(cell) end
  end
end

-- The heading a table follows names it: its caption in HTML ("Mål 1.1"), for screen readers.
local last_heading = nil

local function caption_of()
  if last_heading == nil then return nil end
  local text = pandoc.utils.stringify(last_heading)
  local id = text:match("^(%d[%w%.]*)%s")
  if id and text:match("^%d+%.") then return "Mål " .. id end
  return text
end

local function Table(tbl)
  local html = FORMAT:match("html")
  if not (split_cells or html) then return nil end
  if split_cells then
    fix_rows(tbl.head.rows)
    for _, body in ipairs(tbl.bodies) do fix_rows(body.body) end
  end
  if html then
    for _, row in ipairs(tbl.head.rows) do
      for _, cell in ipairs(row.cells) do cell.attributes["scope"] = "col" end
    end
    local caption = caption_of()
    if caption and #tbl.caption.long == 0 then
      tbl.caption.long = {pandoc.Plain({pandoc.Str(caption)})}
    end
  end
  return tbl
end

-- Event handlers (onclick=…) never reach the output, whatever a template writes.
local function inert(el)
  if el.attributes == nil then return el end
  local handlers = {}
  for key, _ in pairs(el.attributes) do
    local name = key:lower():gsub("^data%-", "")
    if name:match("^on") then table.insert(handlers, key) end
  end
  for _, key in ipairs(handlers) do el.attributes[key] = nil end
  return el
end

local function Div(div) return inert(div) end

-- A paragraph ends nowhere inside a link or a tracked change (pandoc wraps each in an
-- element of its own, w:hyperlink, w:ins, w:del): Word would not open the document.
local function no_paragraph_break(inlines)
  return inlines:walk({RawInline = function(raw)
    if raw.format == "openxml" then return pandoc.Space() end
  end})
end

local function is_tracked_change(span)
  return span.classes:includes("insertion") or span.classes:includes("deletion")
end

local function Span(span)
  span = inert(span)
  if is_tracked_change(span) then span.content = no_paragraph_break(span.content) end
  local color = span.attributes["color"]
  if not color then return span end
  -- The colour goes into OOXML and CSS as it is: exactly six hex digits, or no colour.
  local hex = color:match("^#?(%x%x%x%x%x%x)$")
  if not hex then
    span.attributes["color"] = nil
    return span
  end
  local text = pandoc.utils.stringify(span)
  if FORMAT:match("docx") then
    text = text:gsub("&", "&amp;"):gsub("<", "&lt;")
    return pandoc.RawInline("openxml",
      '<w:r><w:rPr><w:rStyle w:val="Bedömningssymbol"/><w:color w:val="' .. hex
      .. '"/></w:rPr><w:t xml:space="preserve">'
      .. text .. "</w:t></w:r>")
  end
  if FORMAT:match("html") then  -- the label beside it says the same: hidden from screen readers
    span.attributes["color"] = nil
    span.attributes["style"] = "color:#" .. hex
    span.attributes["aria-hidden"] = "true"
    span.classes:insert("bedomning-symbol")
    return span
  end
  return nil
end

local function is_malpl_chart(src)
  -- SVG only in HTML, where an <img> never loads what it names; Word might.
  local kinds = {"png", "jpeg"}
  if FORMAT:match("html") then table.insert(kinds, "svg%+xml") end
  for _, kind in ipairs(kinds) do
    if src:match("^data:image/" .. kind .. ";base64,[A-Za-z0-9+/=]+$") then return true end
  end
  return false
end

-- A chart's Markdown is ![short caption](picture "full description"): GitHub shows the
-- caption as alt text and the description as title; here the description becomes the alt
-- text (Word's descr, HTML's alt) and the caption the visible caption, each once.
local function Image(img)
  if not is_malpl_chart(img.src) then return img.caption end
  if img.title ~= "" then  -- the figure keeps its own caption
    img.caption = pandoc.Inlines(img.title)
    img.title = ""
  end
  return inert(img)
end

local function raw_as_text(raw)
  if raw.format == "html" and raw.text:match("^<!%-%-.*%-%->$") then return {} end
  return pandoc.Str(raw.text)
end

local function RawInline(raw)
  if is_word_break(raw) or is_br(raw) then return nil end
  return raw_as_text(raw)
end

local function RawBlock(raw)
  local text = raw_as_text(raw)
  if text == nil then return nil end
  if type(text) == "table" and text.t == nil then return {} end
  return pandoc.Para({text})
end

local function Link(link)
  link.content = no_paragraph_break(link.content)
  local target = link.target:gsub("[%s%c]", ""):lower()
  if target:match("^javascript:") or target:match("^vbscript:") or target:match("^data:") then
    return link.content
  end
  return inert(link)
end

-- In HTML the whole page is its main landmark, the title block included, with one h1 (the
-- title) and the report's headings nested under it. Only the filter makes this structure.
local function title_block(meta)
  local blocks = pandoc.List()
  local function add(value, class)
    if value == nil then return end
    local inlines = pandoc.utils.type(value) == "Inlines" and value
      or pandoc.Inlines(pandoc.utils.stringify(value))
    if class == "title" then
      blocks:insert(pandoc.Header(1, inlines, pandoc.Attr("titel", {"title"})))
    else
      blocks:insert(pandoc.Div({pandoc.Para(inlines)}, pandoc.Attr("", {class})))
    end
  end
  add(meta.title, "title")
  add(meta.subtitle, "subtitle")
  add(meta.author, "author")
  add(meta.date, "date")
  return blocks
end

local function html_page(doc)
  local title = doc.meta.title
  local blocks = title_block(doc.meta)
  blocks:extend(doc.blocks)
  if title then doc.meta.pagetitle = pandoc.utils.stringify(title) end
  doc.meta.title, doc.meta.subtitle, doc.meta.author, doc.meta.date = nil, nil, nil, nil
  doc.blocks = {pandoc.Div(blocks, pandoc.Attr("innehall", {}, {role = "main"}))}
  return doc
end

local function header(h)
  last_heading = h
  if FORMAT:match("html") then h.level = math.min(h.level + 1, 6) end
  return inert(h)
end

-- The Markdown opens with the title as a heading and a byline, for readers on GitHub;
-- when pandoc has the same title and author as metadata, they are the title block instead.
local function without_title_block(doc)
  local meta, blocks = doc.meta, doc.blocks
  if not meta.title then return nil end
  local i = 1
  while blocks[i] and blocks[i].t == "RawBlock" do i = i + 1 end
  local head = blocks[i]
  if not (head and head.t == "Header" and head.level == 1
          and pandoc.utils.stringify(head) == pandoc.utils.stringify(meta.title)) then
    return nil
  end
  blocks:remove(i)
  local byline = blocks[i]
  if meta.author and byline and byline.t == "Para" then
    local text, author = pandoc.utils.stringify(byline), pandoc.utils.stringify(meta.author)
    if text:sub(1, #author) == author then blocks:remove(i) end
  end
  return doc
end

-- Word: a paragraph of at most this many characters is a line of a heading's own, not text.
local SHORT = 160

local function is_short(block)
  return block.t == "Para" and #pandoc.utils.stringify(block) <= SHORT
end

-- A paragraph that says how a goal stands: an assessment (a coloured symbol) or a draft.
local function is_status(block)
  local found = false
  block:walk({Span = function(span)
    if span.attributes["color"] or span.attributes["custom-style"] then found = true end
  end})
  return found
end

-- After a heading, the short paragraphs up to the goal's text, table or picture keep with
-- what follows (the heading style keeps with them), and so does a short status line
-- wherever it stands. Never before a heading: a goal whose short lines end it does not
-- pull the next goal along.
local function keep_with_next(doc)
  if not DOCX then return nil end
  local blocks, after_heading = doc.blocks, false
  for i, block in ipairs(blocks) do
    if block.t == "Header" then
      after_heading = true
    elseif is_short(block) and (after_heading or is_status(block)) then
      local next_block = blocks[i + 1]
      if next_block and next_block.t ~= "Header" then
        blocks[i] = pandoc.Div({block}, pandoc.Attr("", {}, {["custom-style"] = "Håll ihop"}))
      end
    else
      after_heading = false
    end
  end
  return doc
end

-- Blocks are walked in order so each table knows the heading before it.
return {
  {Meta = read_flags, Pandoc = without_title_block},
  {Pandoc = keep_with_next},
  {Header = header, Table = Table},
  {Div = Div, Span = Span, Image = Image, RawInline = RawInline, RawBlock = RawBlock, Link = Link,
   Pandoc = function(doc)  -- nil: pandoc keeps its own document, not a copy back from Lua
     if FORMAT:match("html") then return html_page(doc) end
     return nil
   end},
}
