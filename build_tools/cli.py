"""Command line: ``corpus check | generate | build | merge | serve | stats | import-conll | import-w3c``."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from . import __version__
from .corpus import Project
from .diagnostics import CorpusError, Diagnostic, Diagnostics
from .export import corpus_summary
from .output import OutputError
from .pipeline import check, generate
from .site import SiteError, build_shard, build_site, default_shards, merge_site, serve

COLOURS = {"error": "\033[31m", "warning": "\033[33m", "bold": "\033[1m", "reset": "\033[0m"}


def _colour(enabled: bool, name: str, text: str) -> str:
    return f"{COLOURS[name]}{text}{COLOURS['reset']}" if enabled else text


def format_human(diagnostic: Diagnostic, colour: bool) -> str:
    text = diagnostic.format()
    if colour:
        head, _, rest = text.partition("\n")
        head = head.replace(f"{diagnostic.severity}[", _colour(True, diagnostic.severity, diagnostic.severity) + "[", 1)
        text = head + ("\n" + rest if rest else "")
    return text


def _github_escape(value: str, property_value: bool = False) -> str:
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property_value:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


def format_github(diagnostic: Diagnostic) -> str:
    """A GitHub Actions workflow command, so the problem shows on the pull request diff."""
    loc = diagnostic.location
    props = [f"file={_github_escape(loc.path, True)}"]
    if loc.line:
        props += [f"line={loc.line}", f"col={loc.column}"]
    props.append(f"title={_github_escape(diagnostic.code, True)}")
    body = diagnostic.message
    if diagnostic.detail:
        body += "\n" + "\n".join(diagnostic.detail)
    if diagnostic.hint:
        body += "\nhint: " + diagnostic.hint
    return f"::{diagnostic.severity} {','.join(props)}::{_github_escape(body)}"


def report(diagnostics: Diagnostics, fmt: str, stream=None) -> None:
    stream = stream or sys.stderr
    if fmt == "json":
        print(diagnostics.to_json(), file=sys.stdout)
        return
    colour = fmt == "human" and stream.isatty() and "NO_COLOR" not in os.environ
    for diagnostic in diagnostics:
        print(format_github(diagnostic) if fmt == "github" else format_human(diagnostic, colour), file=stream)
    if fmt == "human" and len(diagnostics):
        print(_colour(colour, "bold", _counts(diagnostics)), file=stream)


def _counts(diagnostics: Diagnostics) -> str:
    errors, warnings = len(diagnostics.errors), len(diagnostics.warnings)
    return f"{errors} error{'s' if errors != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''}"


def report_new(diagnostics: Diagnostics, shown: set, stream=None) -> set:
    """A preview's regeneration: the problems not among those ``shown`` last time, then the
    counts of all of them; returns what is shown now. Listing every warning of the corpus
    on every save buried what the save changed (two lines a warning, thousands in a large
    corpus); ``corpus check`` lists them all."""
    stream = stream or sys.stderr
    colour = stream.isatty() and "NO_COLOR" not in os.environ
    new = [diagnostic for diagnostic in diagnostics if diagnostic not in shown]
    for diagnostic in new:
        print(format_human(diagnostic, colour), file=stream)
    if len(diagnostics):
        counts = _counts(diagnostics)
        if len(new) < len(diagnostics):
            counts += f" ({len(new)} new; corpus check lists them all)"
        print(_colour(colour, "bold", counts), file=stream)
    return set(diagnostics)


def _summary_line(counts: dict) -> str:
    return (f"{counts['documents']} documents, {counts['entities']} entities, {counts['mentions']} mentions, "
            f"{counts['claims']} claims, {counts['quotes']} quotes")


def cmd_check(args) -> int:
    project = Project(args.root)
    corpus, diagnostics = check(project)
    report(diagnostics, args.format)
    if corpus is None:
        return 1
    if args.format == "human" and not args.quiet:
        print(f"ok: {_summary_line(corpus_summary(corpus))}", file=sys.stderr)
    return 0


def cmd_schema(args) -> int:
    from .schema import stale_files, write_schemas

    if args.write:
        written = write_schemas(args.root)
        if not args.quiet:
            print(f"wrote {len(written)} schema file(s){': ' + ', '.join(written) if written else ''}",
                  file=sys.stderr)
        return 0
    stale = stale_files(args.root)
    if stale:
        print(f"out of date: {', '.join(stale)}; run 'corpus schema --write' and commit the result",
              file=sys.stderr)
        return 1
    if not args.quiet:
        print("ok: the schemas in schemas/ match the loader", file=sys.stderr)
    return 0


def cmd_reanchor(args) -> int:
    from .reanchor import ReanchorError, as_json, describe, run, summary_line

    project = Project(args.root)
    try:
        results, diagnostics = run(project, args.documents, args.rev, Path(args.old) if args.old else None,
                                   apply=args.apply)
    except ReanchorError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.format == "json":
        print(json.dumps(as_json(results), ensure_ascii=False, indent=2))
    else:
        for result in results:
            print("\n".join(describe(result)))
        print(summary_line(results, args.apply), file=sys.stderr)
    findings = [f for r in results for f in r.findings]
    if any(r.errors for r in results):
        return 1
    if args.apply:
        corpus, diagnostics = check(project)
        report(diagnostics, "human")
        unsolved = [f for f in findings if f.needs_action and not f.changes]
        return 0 if corpus is not None and not unsolved else 1
    return 1 if any(f.needs_action for f in findings) else 0


def cmd_suggest(args) -> int:
    from .suggest import describe, suggest, write_proposals

    project = Project(args.root)
    corpus, diagnostics = check(project)
    if corpus is None:
        report(diagnostics, "human")
        print("stopped: fix the errors first (corpus check)", file=sys.stderr)
        return 1
    unknown = [i for i in args.documents if i not in corpus.by_id] + \
        [e for e in (args.entity or []) if e not in corpus.entities]
    if unknown:
        print(f"error: unknown document or entity id: {', '.join(unknown)}", file=sys.stderr)
        return 1
    found = suggest(corpus, args.documents, args.entity)
    if args.format == "json":
        print(json.dumps([{"document": s.document_id, "entity": s.entity.id, "start": s.span.start,
                           "end": s.span.end, "text": corpus.by_id[s.document_id].text[s.span.start:s.span.end],
                           "name": s.name, "anchor": s.anchor} for s in found], ensure_ascii=False, indent=2))
    else:
        for line in describe(found, corpus):
            print(line)
    if args.write:
        written = write_proposals(project, corpus, found)
        for rel, count in written.items():
            print(f"appended {count} proposal(s) to {rel}", file=sys.stderr)
    if not args.quiet:
        print(f"suggest: {len(found)} unannotated occurrence(s) of registered names"
              + ("" if args.write or not found else "; --write appends them to "
                 "annotations/<id>/mentions.proposed.yml for review"), file=sys.stderr)
    return 0


def cmd_new(args) -> int:
    from .scaffold import (NewDocument, ScaffoldError, ask, next_steps, parse_date, prepare_text,
                           read_text_source, write)

    project = Project(args.root)
    given = {"title": args.title, "title_en": args.title_en, "source": args.source, "source_en": args.source_en,
             "source_entity": args.source_entity, "author": args.author, "author_en": args.author_en,
             "author_entity": args.author_entity, "language": args.language, "url": args.url,
             "origin": args.origin, "summary_en": args.summary_en}
    meta = {k: v for k, v in given.items() if v}
    if args.date:
        meta["date"] = parse_date(args.date, args.date_note or "")
    if args.headline is not None:
        meta["headline"] = args.headline
    try:
        if sys.stdin.isatty() and not args.no_input:
            ask(meta)
        notes: list[str] = []
        text = prepare_text(read_text_source(args.text), notes)
        if not meta.get("title"):
            raise ScaffoldError("give the title with --title (in a terminal, the command asks for it)")
        new = NewDocument(args.id, text, meta, notes)
        written = write(project, new)
    except ScaffoldError as exc:
        report(exc.diagnostics, "human")
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for note in new.notes:
        print(f"note: {note}", file=sys.stderr)
    for rel in written:
        print(f"created {rel}", file=sys.stderr)
    corpus, diagnostics = check(project)
    report(diagnostics, "human")
    if corpus is None:
        print("the project has errors (see above); the new files themselves are fine", file=sys.stderr)
        return 1
    if not args.quiet:
        print("\n".join(next_steps(args.id)), file=sys.stderr)
    return 0


def cmd_review(args) -> int:
    from .review import ReviewError, markdown, run

    try:
        text = markdown(run(args.root, args.base, args.head))
    except ReviewError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def _generate(args):
    project = Project(args.root)
    result = generate(project, workers=getattr(args, "jobs", None), show_progress=False if args.quiet else None)
    report(result.diagnostics, "human")
    if not args.quiet:
        s = result.stats
        print(f"generated {s.total} pages in docs/corpus ({s.written} written, {s.unchanged} unchanged, "
              f"{s.removed} removed; {result.rendered} parts rendered, {result.reused} kept) "
              f"from {_summary_line(corpus_summary(result.corpus))} "
              f"in {sum(result.timings.values()):.2f} s", file=sys.stderr)
    return result


def cmd_generate(args) -> int:
    _generate(args)
    return 0


def cmd_build(args) -> int:
    started = time.perf_counter()
    result = _generate(args)
    if args.shard:
        seconds = build_shard(args.root, Path(args.site_dir), args.shard, strict=not args.no_strict, quiet=args.quiet)
        what = f"shard {args.shard} of the site"
    else:
        shards = args.jobs or default_shards(len(result.corpus.documents) + len(result.corpus.entities))
        seconds = build_site(args.root, Path(args.site_dir), strict=not args.no_strict, quiet=args.quiet,
                             corpus=result.corpus, jobs=shards)
        what = "site"
    if not args.quiet:
        print(f"{what} built in {args.site_dir}/ (mkdocs {seconds:.2f} s, total {time.perf_counter() - started:.2f} s)",
              file=sys.stderr)
    return 0


def cmd_merge(args) -> int:
    """The last step of a build split across CI jobs (``corpus build --shard K/N`` each)."""
    started = time.perf_counter()
    corpus, diagnostics = check(Project(args.root))      # the search records come from the model
    if corpus is None:
        report(diagnostics, "human")
        return 1
    merge_site(args.root, [Path(folder) for folder in args.shards], Path(args.site_dir),
               strict=not args.no_strict, quiet=args.quiet, corpus=corpus)
    if not args.quiet:
        print(f"site merged from {len(args.shards)} shards in {args.site_dir}/ "
              f"({time.perf_counter() - started:.2f} s)", file=sys.stderr)
    return 0


def cmd_join(args) -> int:
    """Collections built as sites of their own, published as one hub (see hub.py)."""
    from .hub import HubError, join

    started = time.perf_counter()
    here = args.root == Path.cwd()        # paths as given, in messages too
    roots = [Path(folder) if here else args.root / folder for folder in args.collections]
    try:
        hub = join(roots, Path(args.site_dir) if here else args.root / args.site_dir, args.title, args.site_url)
    except HubError as exc:
        for problem in str(exc).splitlines():
            print(f"error: {problem}", file=sys.stderr)
        print("stopped: nothing was written", file=sys.stderr)
        return 1
    if not args.quiet:
        documents = sum(c.count("documents") for c in hub.collections)
        print(f"hub of {len(hub.collections)} collections ({documents} documents, {len(hub.shared)} entities "
              f"named in more than one, {hub.linked_pages} entity pages linked to the other collections) "
              f"written in {args.site_dir}/ ({time.perf_counter() - started:.2f} s)", file=sys.stderr)
    return 0


def _port_free(dev_addr: str) -> bool:
    import socket

    host, _, port = dev_addr.rpartition(":")
    with socket.socket(socket.AF_INET6 if ":" in host.strip("[]") else socket.AF_INET) as sock:
        # as the preview's server binds: the closed connections of a preview just stopped
        # (TIME_WAIT, for a minute) do not keep the address from it, a listening server does
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host.strip("[]") or "127.0.0.1", int(port)))
        except (OSError, ValueError):
            return False
    return True


def cmd_serve(args) -> int:
    if not _port_free(args.dev_addr):
        print(f"error: cannot serve on {args.dev_addr}: the address is in use or invalid; "
              "choose another one with --dev-addr 127.0.0.1:8001", file=sys.stderr)
        return 1
    from .session import Session

    session = Session(Project(args.root), workers=getattr(args, "jobs", None))
    shown: set = set()          # the problems reported last time (see report_new)

    def regenerate(paths: list[str] | None = None) -> None:
        nonlocal shown
        started = time.perf_counter()
        try:
            result = session.generate(changed=paths)
        except CorpusError as exc:
            report(exc.diagnostics, "human")           # errors: every one, every time
            shown = set(exc.diagnostics)
            print("the sources have errors: the preview keeps the last good pages", file=sys.stderr)
            return
        shown = report_new(result.diagnostics, shown)
        if not args.quiet:
            s = result.stats
            print(f"regenerated in {time.perf_counter() - started:.2f} s: {result.rendered} parts rendered, "
                  f"{s.written} files written, {s.removed} removed", file=sys.stderr)

    try:
        shown = report_new(session.generate(show_progress=False if args.quiet else None).diagnostics, shown)
    except CorpusError as exc:
        report(exc.diagnostics, "human")
        return 1
    return serve(args.root, regenerate, args.dev_addr)


def cmd_stats(args) -> int:
    corpus, diagnostics = check(Project(args.root))
    if corpus is None:
        report(diagnostics, "human")
        return 1
    print(json.dumps(corpus_summary(corpus), ensure_ascii=False, indent=2))
    return 0


def _finish_import(args, plan, what: str) -> int:
    """Report an import, then check the project it wrote into."""
    report(plan.diagnostics, "human")
    print(json.dumps(plan.summary, ensure_ascii=False, indent=2))
    if plan.diagnostics.has_errors() or not plan.written:
        print(f"stopped: nothing was written into {args.root}", file=sys.stderr)
        return 1
    if not args.quiet:
        print(f"{what}: wrote {len(plan.written)} files into {args.root}", file=sys.stderr)
    corpus, diagnostics = check(Project(args.root))
    if corpus is None:
        report(diagnostics, "human")
        print("the project has errors after the import (see above)", file=sys.stderr)
        return 1
    if not args.quiet:
        print(f"corpus check: ok: {_summary_line(corpus_summary(corpus))}", file=sys.stderr)
    return 0


def cmd_import_conll(args) -> int:
    from .conll import import_conll

    plan = import_conll([Path(f) for f in args.files], args.root, args.document_id, args.id_prefix, args.title,
                        args.source, args.source_en, args.force)
    return _finish_import(args, plan, f"imported {plan.summary.get('documents', 0)} CoNLL files")


def cmd_import_w3c(args) -> int:
    from .w3c import import_w3c

    plan = import_w3c(Path(args.file), args.root, args.document_id, args.force)
    return _finish_import(args, plan, "imported W3C annotations")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="corpus", description="Publish an annotated Arabic corpus as a static site.")
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    def add(name: str, func, help_text: str) -> argparse.ArgumentParser:
        cmd = sub.add_parser(name, help=help_text, description=help_text)
        cmd.add_argument("--root", type=lambda s: Path(s).resolve(), default=Path.cwd(),
                         help="project root (default: the current folder)")
        cmd.add_argument("-q", "--quiet", action="store_true", help="print only problems")
        if name in ("generate", "build", "serve"):
            cmd.add_argument("-j", "--jobs", type=int, default=None,
                             help="processes that render pages"
                             + (" and that run MkDocs on a share of them each" if name == "build" else "")
                             + " (default: the cores, up to 8, for large corpora)")
        cmd.set_defaults(func=func)
        return cmd

    c = add("check", cmd_check, "Validate every source file and annotation; report every problem at once.")
    c.add_argument("--format", choices=("human", "github", "json"), default="human",
                   help="human (default), GitHub Actions workflow commands, or JSON")
    sc = add("schema", cmd_schema, "Check that schemas/*.schema.json match the loader (exit 1 if not).")
    sc.add_argument("--write", action="store_true", help="write the schemas generated from the loader")
    ra = add("reanchor", cmd_reanchor, "After a text correction: report annotations whose words changed or "
             "moved, with proposed new anchors; --apply writes them.")
    ra.add_argument("documents", nargs="*", metavar="ID", help="document ids (default: every text that differs "
                    "from --rev)")
    ra.add_argument("--rev", default="HEAD", help="the git revision holding the old texts (default: HEAD)")
    ra.add_argument("--old", metavar="FILE", help="the old text of the one document given (instead of git)")
    ra.add_argument("--apply", action="store_true", help="write the proposals into the YAML files")
    ra.add_argument("--format", choices=("human", "json"), default="human", help="report format")
    sg = add("suggest", cmd_suggest, "List places where a registered name or alias occurs (also with "
             "proclitics and diacritics) but is not annotated yet.")
    sg.add_argument("documents", nargs="*", metavar="ID", help="document ids (default: all)")
    sg.add_argument("--entity", action="append", metavar="ID", help="only this entity (repeatable)")
    sg.add_argument("--write", action="store_true",
                    help="append the suggestions to annotations/<id>/mentions.proposed.yml for review")
    sg.add_argument("--format", choices=("human", "json"), default="human", help="report format")
    nw = add("new", cmd_new, "Add a document: its text (from a file or standard input), its metadata (from "
             "flags, or asked in a terminal) and empty annotation layers that pass check. Never overwrites.")
    nw.add_argument("id", help="the document id, e.g. hespress-2013-elections")
    nw.add_argument("--text", metavar="FILE", help="the text file ('-' or left out: standard input)")
    for flag, what in (("title", "the title as published (required)"), ("title-en", "the title in English"),
                       ("source", "the paper or website, as written"), ("source-en", "the source in Latin script"),
                       ("source-entity", "the source's id in the entity registry"),
                       ("author", "the author, as written"), ("author-en", "the author in Latin script"),
                       ("author-entity", "the author's id in the entity registry"),
                       ("language", "BCP 47 language tag (default ar)"), ("url", "the address of the original"),
                       ("origin", "where the file comes from"), ("summary-en", "a short summary in English"),
                       ("date", "YYYY-MM-DD, or a range YYYY-MM-DD..YYYY-MM-DD"),
                       ("date-note", "how the date was established")):
        nw.add_argument(f"--{flag}", help=what)
    nw.add_argument("--headline", action=argparse.BooleanOptionalAction, default=None,
                    help="the first line of the text is its headline")
    nw.add_argument("--no-input", action="store_true", help="never ask questions, even in a terminal")
    rv = add("review", cmd_review, "Compare the annotations of two git revisions; print a Markdown summary for "
             "a pull request (added, removed, moved, changed annotations; entities added, removed, merged).")
    rv.add_argument("--base", required=True, metavar="REV", help="the revision to compare with (e.g. origin/main)")
    rv.add_argument("--head", metavar="REV", help="the revision to review (default: the working tree)")
    rv.add_argument("--output", metavar="FILE", help="write the Markdown to FILE instead of standard output")
    add("generate", cmd_generate, "Validate, then write the generated pages into docs/corpus/.")
    b = add("build", cmd_build, "Generate the pages, then build the site with mkdocs build --strict.")
    b.add_argument("--site-dir", default="site", help="where the site goes (default: site)")
    b.add_argument("--no-strict", action="store_true", help="do not fail on MkDocs warnings")
    b.add_argument("--shard", metavar="K/N", help="build only shard K of N into --site-dir (no search index), "
                   "for one CI job of N; 'corpus merge' joins the shards")
    m = add("merge", cmd_merge, "Join the shards made by 'corpus build --shard K/N' (1/N to N/N) into one site "
            "with its search index: the site one 'corpus build' makes.")
    m.add_argument("shards", nargs="+", metavar="SHARD_DIR", help="the --site-dir of each shard")
    m.add_argument("--site-dir", default="site", help="where the site goes (default: site)")
    m.add_argument("--no-strict", action="store_true", help="do not fail on MkDocs warnings")
    jn = add("join", cmd_join, "Publish collections, each a project built by 'corpus build', as one hub: "
             "each collection's site under its folder name, with an index page of their counts, a search "
             "across them, and the entities more than one of them names (entities/), each collection's page "
             "of such an entity linking its pages in the others.")
    jn.add_argument("collections", nargs="+", metavar="COLLECTION",
                    help="the folder of a collection (its mkdocs.yml, and its site built in site/)")
    jn.add_argument("--site-dir", default="hub", help="where the hub goes (default: hub)")
    jn.add_argument("--title", help="the hub's title (default: مجموعات المدونة)")
    jn.add_argument("--site-url", help="the hub's address: each collection's site_url must then be "
                    "<site-url>/<folder name>/, and a sitemap index is written")
    s = add("serve", cmd_serve, "Preview the site; regenerates when corpus/ or annotations/ change.")
    s.add_argument("--dev-addr", default="127.0.0.1:8000", help="address to serve on (default 127.0.0.1:8000)")
    add("stats", cmd_stats, "Print annotation counts by layer and type as JSON.")
    i = add("import-conll", cmd_import_conll,
            "Import CoNLL/IOB token-tag files as documents with entity mentions (into --root).")
    i.add_argument("files", nargs="+", metavar="FILE", help="CoNLL files: 'TOKEN TAG' per line, sentences "
                   "separated by blank lines")
    i.add_argument("--document-id", action="append", help="the document id (once per file, in order; default: "
                   "from the file name)")
    i.add_argument("--id-prefix", default="", help="put this before ids made from file names (e.g. 'aqmar-')")
    i.add_argument("--title", help="the document title (one file only; default: from the file name)")
    i.add_argument("--source", default="", help="the 'source' metadata of the documents")
    i.add_argument("--source-en", default="", help="the 'source_en' metadata of the documents")
    i.add_argument("--force", action="store_true", help="overwrite files that exist")
    w = add("import-w3c", cmd_import_w3c,
            "Import W3C Web Annotation JSON-LD (this tool's exports, Recogito, Hypothesis...) into --root.")
    w.add_argument("file", metavar="FILE", help="an AnnotationCollection, AnnotationPage, Annotation or list")
    w.add_argument("--document-id", help="the document the annotations are on (default: from the target IRIs)")
    w.add_argument("--force", action="store_true", help="overwrite annotation files that exist")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except CorpusError as exc:
        report(exc.diagnostics, "human")
        print(f"stopped: {exc}; nothing was written", file=sys.stderr)
        return 1
    except (OutputError, SiteError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
