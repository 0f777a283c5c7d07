/* Reading an annotated document: layer toggles, details over annotations, paragraph
 * links, citation addresses.
 *
 * Rules this script keeps:
 * - it never adds, removes or changes text inside .doc-text (its textContent is the
 *   source text): it only sets classes and attributes there; everything it creates
 *   (paragraph links, the details box, descriptions) lives outside .doc-text;
 * - every value it shows comes from the page (the data-annotations JSON and the
 *   elements) and goes into the page as text (textContent, setAttribute), never as HTML;
 * - it works with Material's instant navigation: it runs again on every page that
 *   document$ emits, and its document-wide listeners are installed once.
 */
(function () {
  "use strict";

  var STORE = "corpus.reader.hidden";          // localStorage: hidden layers and types
  var LAYERS = ["mention", "claim", "quote"];
  var LAYER_NAMES = { mention: "كيان", claim: "ادعاء", quote: "اقتباس" };
  var TYPE_PREFIX = "ent-";

  var page = null;       // per page: { text, data, pop, descs, observer }
  var pop = null;        // the details box of the current page
  var current = null;    // { anchor, mode } while the box is open
  var showTimer = 0;
  var hideTimer = 0;
  var lastPointer = "mouse";
  var quietFocus = null;  // an element focused by this script: no details on that focus

  /* ---- stored choice ----------------------------------------------------------------- */

  function loadHidden() {
    try {
      var value = JSON.parse(window.localStorage.getItem(STORE) || "[]");
      return Array.isArray(value) ? value.filter(function (v) { return typeof v === "string"; }) : [];
    } catch (e) {
      return [];
    }
  }

  function saveHidden(hidden) {
    try {
      window.localStorage.setItem(STORE, JSON.stringify(hidden));
    } catch (e) { /* private mode: the choice lasts for this page only */ }
  }

  function isHidden(hidden, token) {
    return hidden.indexOf(token) !== -1;
  }

  /* ---- annotations ------------------------------------------------------------------- */

  function textOf(el) {
    return el ? el.closest(".doc-text") : null;
  }

  function isShown(el) {
    var text = textOf(el);
    if (!text) return false;
    var layer = el.getAttribute("data-layer");
    if (text.classList.contains("hide-" + layer)) return false;
    if (layer === "mention" && text.classList.contains("hide-" + TYPE_PREFIX + el.getAttribute("data-type")))
      return false;
    return true;
  }

  /* The shown annotations at an element, innermost first, one per annotation. */
  function stackAt(el) {
    var out = [];
    var seen = {};
    var node = el && el.nodeType === 1 ? el : el && el.parentElement;
    while (node && !node.classList.contains("doc-text")) {
      if (node.classList.contains("ann") && isShown(node)) {
        var key = node.getAttribute("data-ann");
        if (!seen[key]) {
          seen[key] = true;
          out.push(node);
        }
      }
      node = node.parentElement;
    }
    return node ? out : [];
  }

  function annotationAt(el) {
    var stack = stackAt(el);
    return stack.length ? stack[0] : null;
  }

  function firstPiece(el) {
    var key = el.getAttribute("data-ann");
    return el.id === key ? el : document.getElementById(key) || el;
  }

  /* ---- applying the choice ------------------------------------------------------------- */

  function apply(hidden) {
    if (!page) return;
    var text = page.text;
    var classes = Array.prototype.slice.call(text.classList).filter(function (c) {
      return c.indexOf("hide-") === 0;
    });
    classes.forEach(function (c) { text.classList.remove(c); });
    hidden.forEach(function (token) { text.classList.add("hide-" + token); });
    // Keyboard: shown annotations are tab stops with a description; hidden ones are not.
    text.querySelectorAll(".ann").forEach(function (el) {
      var shown = isShown(el);
      var isLink = el.tagName === "A" && el.hasAttribute("href");
      // Claims and quotes are tab stops (their first piece); a mention is one through its
      // link, and a mention inside another mention's link (a span) is not one at all.
      var first = el.id && el.id === el.getAttribute("data-ann") && el.getAttribute("data-layer") !== "mention";
      if (isLink) {
        if (shown) el.removeAttribute("tabindex");
        else el.setAttribute("tabindex", "-1");
      } else if (first) {
        if (shown) el.setAttribute("tabindex", "0");
        else el.removeAttribute("tabindex");
      }
      var desc = "ann-desc-" + el.getAttribute("data-ann");
      if (shown && (isLink || first) && document.getElementById(desc)) el.setAttribute("aria-describedby", desc);
      else el.removeAttribute("aria-describedby");
    });
    var controls = document.querySelector(".ann-controls");
    if (controls) {
      controls.querySelectorAll("input[name=layer]").forEach(function (box) {
        box.checked = !isHidden(hidden, box.value);
      });
      controls.querySelectorAll("input[name=type]").forEach(function (box) {
        box.checked = !isHidden(hidden, TYPE_PREFIX + box.value);
      });
      var types = controls.querySelector(".ann-types");
      if (types) types.disabled = isHidden(hidden, "mention");
    }
    if (current && !isShown(current.anchor)) hide();
  }

  function onToggle(ev) {
    var box = ev.target;
    if (!box || box.tagName !== "INPUT") return;
    var token = box.name === "type" ? TYPE_PREFIX + box.value : box.name === "layer" ? box.value : null;
    if (!token) return;
    var hidden = loadHidden().filter(function (t) { return t !== token; });
    if (!box.checked) hidden.push(token);
    saveHidden(hidden);
    apply(hidden);
  }

  /* ---- what an annotation is --------------------------------------------------------- */

  function make(tag, props, children) {
    var el = document.createElement(tag);
    Object.keys(props || {}).forEach(function (name) {
      if (name === "text") el.textContent = props[name];
      else if (name === "className") el.className = props[name];
      else el.setAttribute(name, props[name]);
    });
    (children || []).forEach(function (child) {
      if (child) el.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return el;
  }

  function entityLink(id) {
    var entity = page.data.entities[id];
    if (!entity) return make("span", { text: id });
    return make("a", { href: entity.url, text: entity.name });
  }

  function joinLinks(ids) {
    var out = [];
    ids.forEach(function (id, i) {
      if (i) out.push("، ");
      out.push(entityLink(id));
    });
    return out;
  }

  function permalink(key) {
    return location.origin + location.pathname + "#" + key;
  }

  function linksRow(key, extra) {
    var copy = make("button", { type: "button", className: "copy-btn", "data-copy-url": permalink(key),
                                text: "نسخ الرابط" });
    return make("p", { className: "ann-pop-links" }, (extra || []).concat([
      make("a", { href: "#" + key, text: "رابط دائم" }), copy,
    ]));
  }

  function describe(el) {
    var key = el.getAttribute("data-ann");
    var layer = el.getAttribute("data-layer");
    var data = page.data;
    if (layer === "mention") {
      var entity = data.entities[el.getAttribute("data-entity")] || {};
      return {
        heading: LAYER_NAMES.mention + " · " + (entity.typeName || ""),
        text: LAYER_NAMES.mention + " (" + (entity.typeName || "") + "): " + (entity.name || ""),
        nodes: [
          make("p", { className: "ann-pop-kind" }, [
            make("span", { className: "ann-key " + TYPE_PREFIX + (entity.type || ""), text: entity.typeName || "" }),
          ]),
          make("p", { className: "ann-pop-title" }, [
            make("a", { href: entity.url || "#", text: entity.name || "" }), " ",
            entity.label ? make("span", { lang: "en", dir: "ltr", className: "ann-pop-label", text: "(" + entity.label + ")" }) : null,
          ]),
          linksRow(key, [make("a", { href: entity.url || "#", text: "صفحة الكيان" })]),
        ],
      };
    }
    if (layer === "claim") {
      var claim = data.claims[key] || {};
      var claimant = (data.entities[claim.claimant] || {}).name || "";
      var summary = claim.summary || claim.summaryEn || "";
      return {
        heading: LAYER_NAMES.claim + " · " + (claim.kindName || ""),
        text: LAYER_NAMES.claim + " (" + (claim.kindName || "") + ") من " + claimant + ": " + summary +
              ". الحالة: " + (claim.statusName || ""),
        nodes: [
          make("p", { className: "ann-pop-kind" }, [
            make("span", { className: "ann-key ann-key-claim", text: LAYER_NAMES.claim + " · " + (claim.kindName || "") }),
          ]),
          make("p", { className: "ann-pop-title" }, [entityLink(claim.claimant)].concat(
            claim.about && claim.about.length ? [" ← "].concat(joinLinks(claim.about)) : [])),
          summary ? make("p", claim.summary ? { text: summary } : { text: summary, lang: "en", dir: "ltr" }) : null,
          make("p", { className: "ann-pop-status" }, ["الحالة: ", make("span", { text: claim.statusName || "" })]),
          linksRow(key, [make("a", { href: claim.url || "#", text: "في صفحة الادعاءات" })]),
        ],
      };
    }
    var quote = data.quotes[key] || {};
    var speaker = (data.entities[quote.speaker] || {}).name || "";
    return {
      heading: LAYER_NAMES.quote + " · " + (quote.kindName || ""),
      text: (quote.kindName || LAYER_NAMES.quote) + "، القائل: " + speaker + " (" + (quote.channelName || "") + ")",
      nodes: [
        make("p", { className: "ann-pop-kind" }, [
          make("span", { className: "ann-key ann-key-quote", text: quote.kindName || LAYER_NAMES.quote }),
        ]),
        make("p", { className: "ann-pop-title" }, ["القائل: ", entityLink(quote.speaker)]),
        make("p", { className: "ann-pop-status", text: "القناة: " + (quote.channelName || "") }),
        linksRow(key, [make("a", { href: quote.url || "#", text: "في صفحة الاقتباسات" })]),
      ],
    };
  }

  /* ---- the details box ---------------------------------------------------------------- */

  function position(anchor, point) {
    var rects = anchor.getClientRects();
    var rect = rects[0] || anchor.getBoundingClientRect();
    if (point) {
      for (var i = 0; i < rects.length; i++) {
        var r = rects[i];
        if (point.y >= r.top - 2 && point.y <= r.bottom + 2 && point.x >= r.left - 2 && point.x <= r.right + 2) {
          rect = r;
          break;
        }
      }
    }
    var width = document.documentElement.clientWidth;
    var height = window.innerHeight;
    pop.style.left = "0px";
    pop.style.top = "0px";
    var box = pop.getBoundingClientRect();
    var left = Math.min(rect.right, width - 8) - box.width;            // right-aligned (RTL)
    left = Math.max(8, Math.min(left, width - box.width - 8));
    var top = rect.bottom + 6;
    if (top + box.height > height - 8 && rect.top - box.height - 6 > 8) top = rect.top - box.height - 6;
    pop.style.left = Math.round(left + window.scrollX) + "px";
    pop.style.top = Math.round(top + window.scrollY) + "px";
  }

  function show(anchor, mode, point) {
    if (!pop || !page) return;
    clearTimeout(hideTimer);
    clearTimeout(showTimer);
    var stack = stackAt(anchor);
    if (!stack.length) return;
    if (mode !== "hover" && stack[0].getAttribute("data-layer") === "mention") {
      // From the keyboard or a tap there is no pointer to aim at a mention inside a
      // mention's link (تازة in «أحداث تازة»): those are described too, after it.
      var inner = Array.prototype.filter.call(stack[0].querySelectorAll(".ann-mention[id]"), isShown);
      stack = stack.slice(0, 1).concat(inner.filter(function (el) {
        return el.id === el.getAttribute("data-ann");
      }), stack.slice(1));
    }
    pop.textContent = "";
    var headings = [];
    stack.forEach(function (el) {
      var d = describe(el);
      headings.push(d.heading);
      pop.appendChild(make("section", { "data-for": el.getAttribute("data-ann") }, d.nodes));
    });
    pop.setAttribute("aria-label", "تفاصيل: " + headings.join("، "));
    if (current) current.anchor.classList.remove("ann-active");
    current = { anchor: stack[0], mode: mode };
    stack[0].classList.add("ann-active");
    pop.hidden = false;
    position(stack[0], point);
  }

  function hide() {
    clearTimeout(hideTimer);
    clearTimeout(showTimer);
    if (current) current.anchor.classList.remove("ann-active");
    current = null;
    if (pop) pop.hidden = true;
  }

  function scheduleHide(delay) {
    clearTimeout(hideTimer);
    hideTimer = setTimeout(hide, delay);
  }

  function inPop(el) {
    return !!(pop && el && pop.contains(el));
  }

  function tabbables() {
    return Array.prototype.filter.call(
      document.querySelectorAll("a[href], button, input, select, textarea, [tabindex]"),
      function (el) {
        return el.tabIndex >= 0 && !el.disabled && el.getClientRects().length > 0 && !inPop(el);
      });
  }

  /* ---- document-wide listeners (installed once) --------------------------------------- */

  function onMouseOver(ev) {
    if (lastPointer === "touch") return;
    if (inPop(ev.target)) {
      clearTimeout(hideTimer);
      return;
    }
    var anchor = annotationAt(ev.target);
    if (!anchor) return;
    clearTimeout(hideTimer);
    if (current && current.anchor === anchor) return;
    if (current && current.mode !== "hover") return;     // a pinned or focused box stays
    var point = { x: ev.clientX, y: ev.clientY };
    clearTimeout(showTimer);
    showTimer = setTimeout(function () { show(anchor, "hover", point); }, current ? 60 : 150);
  }

  function onMouseOut(ev) {
    clearTimeout(showTimer);
    if (!current || current.mode !== "hover") return;
    var to = ev.relatedTarget;
    if (to && (inPop(to) || annotationAt(to) === current.anchor)) return;
    scheduleHide(300);
  }

  function onFocusIn(ev) {
    var el = ev.target;
    if (el === quietFocus) {
      quietFocus = null;
      return;
    }
    if (inPop(el)) {
      clearTimeout(hideTimer);
      return;
    }
    if (!el.classList || !el.classList.contains("ann") || !isShown(el)) {
      if (current && current.mode !== "pin") hide();
      return;
    }
    show(el, "focus");
  }

  function onFocusOut(ev) {
    if (!current || current.mode === "pin") return;
    var to = ev.relatedTarget;
    if (to && (inPop(to) || to === current.anchor)) return;
    if (current.mode === "focus" || inPop(ev.target)) scheduleHide(100);
  }

  function onPointerOver(ev) {
    lastPointer = ev.pointerType || "mouse";
  }

  function onPointerDown(ev) {
    lastPointer = ev.pointerType || "mouse";
    if (current && !inPop(ev.target) && !annotationAt(ev.target)) hide();
  }

  function onClick(ev) {
    var copy = ev.target.closest && ev.target.closest("[data-copy-url], [data-copy-target]");
    if (copy) {
      ev.preventDefault();
      var target = copy.getAttribute("data-copy-target");
      var node = target && document.getElementById(target);
      copyText(node ? node.textContent.trim() : copy.getAttribute("data-copy-url"));
      return;
    }
    var paraLink = ev.target.closest && ev.target.closest(".para-links a");
    if (paraLink) {
      copyText(location.origin + location.pathname + paraLink.getAttribute("href"));
      return;            // Material's instant navigation scrolls to the paragraph
    }
    var anchor = annotationAt(ev.target);
    if (!anchor) return;
    var touch = (ev.pointerType || lastPointer) === "touch";
    var isLink = !!ev.target.closest("a[href]");
    if (isLink && !touch) return;                        // a click on a mention opens its page
    if (isLink && current && current.anchor === anchor && current.mode === "pin") return;   // second tap
    ev.preventDefault();
    ev.stopPropagation();                                // before Material's instant navigation
    show(anchor, "pin", { x: ev.clientX, y: ev.clientY });
  }

  function onKeyDown(ev) {
    if (ev.key === "Escape" && current) {
      var back = inPop(document.activeElement) ? current.anchor : null;
      hide();
      if (back) {
        quietFocus = firstPiece(back);
        quietFocus.focus();
      }
      return;
    }
    var el = ev.target;
    if ((ev.key === "Enter" || ev.key === " ") && el.classList && el.classList.contains("ann") &&
        !el.closest("a[href]") && isShown(el)) {
      ev.preventDefault();
      show(el, "pin");
      var first = pop.querySelector("a[href], button");
      if (first) first.focus();
      return;
    }
    if (ev.key === "Tab" && current && inPop(el)) {
      var inside = pop.querySelectorAll("a[href], button");
      var anchor = firstPiece(current.anchor);
      if (ev.shiftKey && el === inside[0]) {
        ev.preventDefault();
        anchor.focus();
      } else if (!ev.shiftKey && el === inside[inside.length - 1]) {
        ev.preventDefault();
        var all = tabbables();
        var next = all[all.indexOf(anchor) + 1];
        hide();
        if (next) next.focus();
      }
    }
  }

  /* ---- copying ----------------------------------------------------------------------- */

  function announce(message) {
    var status = document.querySelector(".reader-status");
    if (!status) {
      status = make("div", { className: "reader-status", role: "status", "aria-live": "polite" });
      document.body.appendChild(status);
    }
    status.textContent = message;
    clearTimeout(announce.timer);
    announce.timer = setTimeout(function () { status.textContent = ""; }, 2000);
  }

  function copyText(value) {
    function fallback() {
      var area = make("textarea", { "aria-hidden": "true" });
      area.value = value;
      area.style.position = "fixed";
      area.style.opacity = "0";
      document.body.appendChild(area);
      area.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      area.remove();
      announce(ok ? "نُسخ إلى الحافظة" : "تعذر النسخ: انسخ الرابط من شريط العنوان");
    }
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(value).then(function () { announce("نُسخ إلى الحافظة"); }, fallback);
    } else {
      fallback();
    }
  }

  /* ---- per page ---------------------------------------------------------------------- */

  function placeParagraphLinks() {
    if (!page || !page.links) return;
    var body = page.body.getBoundingClientRect();
    page.links.forEach(function (pair) {
      var para = pair[0];
      var link = pair[1];
      var rect = para.getBoundingClientRect();
      var lineHeight = parseFloat(getComputedStyle(para).lineHeight) || rect.height;
      link.style.top = Math.round(rect.top - body.top) + "px";
      link.style.lineHeight = Math.round(Math.min(lineHeight, rect.height)) + "px";
    });
  }

  function paragraphLinks(body, text) {
    var nav = make("nav", { className: "para-links", "aria-label": "روابط دائمة إلى الفقرات" });
    var links = [];
    text.querySelectorAll(".doc-para[id], .doc-headline[id]").forEach(function (para) {
      var number = para.id.replace(/^p-/, "");
      var link = make("a", { href: "#" + para.id, "aria-label": "رابط دائم إلى الفقرة " + number, text: number });
      nav.appendChild(link);
      links.push([para, link]);
    });
    body.appendChild(nav);
    return links;
  }

  function descriptions(text) {
    var box = make("div", { className: "ann-descs", hidden: "" });
    var done = {};
    text.querySelectorAll(".ann").forEach(function (el) {
      var key = el.getAttribute("data-ann");
      if (done[key]) return;
      done[key] = true;
      try {
        box.appendChild(make("span", { id: "ann-desc-" + key, text: describe(el).text }));
      } catch (e) { /* an annotation without data: no description */ }
    });
    return box;
  }

  function init() {
    if (page && page.observer) page.observer.disconnect();
    page = null;
    hide();
    // Idempotent: whatever an earlier run made on this page goes first.
    document.querySelectorAll(".ann-pop, .para-links, .ann-descs").forEach(function (el) { el.remove(); });
    pop = null;

    // Citation: the address of this page, now that it is known.
    document.querySelectorAll("[data-cite-page]").forEach(function (el) {
      el.textContent = location.origin + location.pathname;
    });
    document.querySelectorAll(".doc-cite .cite-plain, .doc-cite .cite-bibtex").forEach(function (block) {
      if (block.nextElementSibling && block.nextElementSibling.classList.contains("copy-btn")) return;
      block.insertAdjacentElement("afterend", make("button", {
        type: "button", className: "copy-btn", "data-copy-target": block.id, text: "نسخ",
        "aria-label": block.classList.contains("cite-bibtex") ? "نسخ مدخل BibTeX" : "نسخ نص الاستشهاد",
      }));
    });

    var text = document.querySelector(".doc-text");
    var holder = document.querySelector(".ann-data");
    if (!text) return;
    var data = { entities: {}, claims: {}, quotes: {} };
    try {
      var parsed = JSON.parse(holder ? holder.getAttribute("data-annotations") : "{}");
      ["entities", "claims", "quotes"].forEach(function (k) { if (parsed[k]) data[k] = parsed[k]; });
      // Each entity's page and type name are written once for the page, not once per entity.
      Object.keys(data.entities).forEach(function (id) {
        var entity = data.entities[id];
        entity.url = (parsed.entityPages || "") + id + "/";
        entity.typeName = (parsed.typeNames || {})[entity.type] || entity.type;
      });
    } catch (e) { /* no details: toggles still work */ }
    var body = text.closest(".doc-body") || text.parentElement;
    page = { text: text, data: data, body: body };

    pop = make("div", { className: "ann-pop", role: "dialog", "aria-label": "تفاصيل الشرح", hidden: "" });
    pop.addEventListener("mouseleave", function () {
      if (current && current.mode === "hover") scheduleHide(300);
    });
    document.body.appendChild(pop);
    var descs = descriptions(text);
    body.parentNode.insertBefore(descs, body.nextSibling);

    var controls = document.querySelector(".ann-controls");
    if (controls) {
      controls.hidden = false;
      if (window.matchMedia("(min-width: 60em)").matches) controls.open = true;
      if (!controls.hasAttribute("data-bound")) {
        controls.setAttribute("data-bound", "");
        controls.addEventListener("change", onToggle);
      }
    }
    apply(loadHidden());

    page.links = paragraphLinks(body, text);
    placeParagraphLinks();
    if (window.ResizeObserver) {
      page.observer = new ResizeObserver(placeParagraphLinks);
      page.observer.observe(text);
    }
    if (document.fonts && document.fonts.ready) document.fonts.ready.then(placeParagraphLinks);
    markTargetFromAddress();
  }

  document.addEventListener("mouseover", onMouseOver);
  document.addEventListener("mouseout", onMouseOut);
  document.addEventListener("focusin", onFocusIn);
  document.addEventListener("focusout", onFocusOut);
  document.addEventListener("pointerover", onPointerOver, true);
  document.addEventListener("pointerdown", onPointerDown, true);
  window.addEventListener("click", onClick, true);
  document.addEventListener("keydown", onKeyDown);
  window.addEventListener("resize", function () {
    if (current) position(current.anchor);
  });

  // The element a link points at (#p-3, #m-…): highlighted. Material's instant navigation
  // changes the address with pushState, which does not update :target, so the class
  // follows Material's target$ (and the address, on a full load).
  function markTarget(el) {
    document.querySelectorAll(".ann-target").forEach(function (old) {
      if (old !== el) old.classList.remove("ann-target");
    });
    if (el && el.closest && el.closest(".doc-text")) el.classList.add("ann-target");
  }

  function markTargetFromAddress() {
    var id = decodeURIComponent(location.hash.slice(1));
    markTarget(id ? document.getElementById(id) : null);
  }

  if (window.target$ && typeof window.target$.subscribe === "function")
    window.target$.subscribe(markTarget);
  window.addEventListener("hashchange", markTargetFromAddress);

  // The browser (on a full load) or Material (on instant navigation) scrolls to the
  // permalinked annotation before the page's fonts and folded sections settle, which can
  // leave it off screen: once they have settled, bring it back if it is not visible.
  function revealTarget() {
    var id = decodeURIComponent(location.hash.slice(1));
    var el = id && document.getElementById(id);
    if (!el || !el.closest || !el.closest(".doc-text")) return;
    var ready = document.fonts && document.fonts.ready ? document.fonts.ready : Promise.resolve();
    ready.then(function () {
      window.requestAnimationFrame(function () {
        var box = el.getBoundingClientRect();
        if (box.bottom < 0 || box.top > window.innerHeight) el.scrollIntoView({ block: "center" });
      });
    });
  }
  window.addEventListener("load", revealTarget);

  // Apply the stored choice at once (this script runs after the page's HTML), then on
  // every page Material's instant navigation brings in.
  if (window.document$ && typeof window.document$.subscribe === "function") {
    if (document.querySelector(".doc-text")) init();
    window.document$.subscribe(function () { init(); window.setTimeout(revealTarget, 50); });
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
