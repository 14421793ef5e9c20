import { diffLines } from "diff";
import type { Hunk } from "@docsync/client";

// The conflict view's texts. The line diffs come from the `diff` package (jsdiff); only their combination is here.

/** The lines of a text, each with its newline (the last one may lack it). */
export function linesOf(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

export interface DiffLine {
  text: string;
  side: "both" | "mine" | "theirs";
  /** Inside a region the server reported as colliding (a hunk), by its line numbers on that side. */
  collides: boolean;
}

/** Mine vs theirs line by line, each line marked when it lies in one of the colliding hunks. */
export function conflictDiff(mine: string, theirs: string, hunks: Hunk[]): DiffLine[] {
  const inHunk = (line: number, side: "mine" | "theirs") => hunks.some((h) => {
    const start = side === "mine" ? h.mine_line : h.theirs_line;
    const length = (side === "mine" ? h.mine : h.theirs).length;
    return line >= start && line < start + Math.max(length, 1);
  });
  const out: DiffLine[] = [];
  let mineLine = 1;
  let theirsLine = 1;
  for (const part of diffLines(mine, theirs)) {
    for (const text of linesOf(part.value)) {
      if (part.removed) out.push({ text, side: "mine", collides: inHunk(mineLine++, "mine") });
      else if (part.added) out.push({ text, side: "theirs", collides: inHunk(theirsLine++, "theirs") });
      else out.push({ text, side: "both", collides: inHunk(mineLine++, "mine") || inHunk(theirsLine++, "theirs") });
    }
  }
  return out;
}

/** One side's change of the base: base lines [start, end) become `lines`. */
interface Edit {
  start: number;
  end: number;
  lines: string[];
}

function editsOf(base: string, side: string): Edit[] {
  const edits: Edit[] = [];
  let at = 0;
  let open: Edit | undefined;
  for (const part of diffLines(base, side)) {
    const lines = linesOf(part.value);
    if (!part.added && !part.removed) {
      at += lines.length;
      open = undefined;
      continue;
    }
    if (!open) edits.push((open = { start: at, end: at, lines: [] }));
    if (part.removed) open.end = at += lines.length;
    else open.lines.push(...lines);
  }
  return edits;
}

/** Base lines [start, end) with the given edits (all inside that range) applied. */
function applyEdits(base: string[], start: number, end: number, edits: Edit[]): string[] {
  const out: string[] = [];
  let at = start;
  for (const edit of edits) {
    out.push(...base.slice(at, edit.start), ...edit.lines);
    at = edit.end;
  }
  return [...out, ...base.slice(at, end)];
}

const withNewline = (lines: string[]) => lines.map((l) => (l.endsWith("\n") ? l : `${l}\n`)).join("");

/**
 * A three-way merge of mine and theirs from their base, for the user to finish: regions only one side changed take
 * that side; regions both changed (overlapping or touching, as the server decides) show both between conflict
 * markers. `conflicts`: how many marked regions.
 */
export function mergedText(base: string, mine: string, theirs: string): { text: string; conflicts: number } {
  const baseLines = linesOf(base);
  const tagged = [
    ...editsOf(base, mine).map((e) => ({ ...e, side: "mine" as const })),
    ...editsOf(base, theirs).map((e) => ({ ...e, side: "theirs" as const })),
  ].sort((a, b) => a.start - b.start || a.end - b.end);
  let text = "";
  let at = 0;
  let conflicts = 0;
  for (let i = 0; i < tagged.length;) {
    // A region: edits that overlap or touch one another.
    const region = [tagged[i]!];
    let end = tagged[i]!.end;
    for (i++; i < tagged.length && tagged[i]!.start <= end; i++) {
      region.push(tagged[i]!);
      end = Math.max(end, tagged[i]!.end);
    }
    const start = region[0]!.start;
    text += baseLines.slice(at, start).join("");
    const mineEdits = region.filter((e) => e.side === "mine");
    const theirsEdits = region.filter((e) => e.side === "theirs");
    const mineText = applyEdits(baseLines, start, end, mineEdits).join("");
    const theirsText = applyEdits(baseLines, start, end, theirsEdits).join("");
    if (theirsEdits.length === 0 || mineText === theirsText) text += mineText;
    else if (mineEdits.length === 0) text += theirsText;
    else {
      conflicts++;
      text += `<<<<<<< mine\n${withNewline(linesOf(mineText))}=======\n${withNewline(linesOf(theirsText))}>>>>>>> theirs\n`;
    }
    at = end;
  }
  return { text: text + baseLines.slice(at).join(""), conflicts };
}
