// The code blocks of a README, so a test runs what a newcomer copies rather than a copy of
// it that could drift from the page.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "./outside";

/** One fenced block: its language tag and its text. */
interface CodeBlock {
  lang: string;
  text: string;
}

/** Every fenced block of a Markdown file under the repository root, in order. */
function codeBlocks(file: string): CodeBlock[] {
  const markdown = readFileSync(join(repoRoot, file), "utf8");
  return [...markdown.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map(([, lang = "", text = ""]) => ({ lang, text }));
}

/** The one block of a language whose text holds `marker`; throws naming the file when there is none or several. */
export function codeBlock(file: string, lang: string, marker: string): string {
  const found = codeBlocks(file).filter((block) => block.lang === lang && block.text.includes(marker));
  if (found.length !== 1) {
    throw new Error(
      `${file} has ${found.length} \`\`\`${lang} blocks holding "${marker}" (the test needs exactly one)`,
    );
  }
  return found[0]!.text;
}

/** The commands of a shell block: its lines without comments and blank lines. */
export function commands(block: string): string[] {
  return block
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
}
