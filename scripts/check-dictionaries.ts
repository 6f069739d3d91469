// Parses and compiles dictionaries/*.dict (or the files given) and prints every error.
// Usage: npx tsx scripts/check-dictionaries.ts [FILE...]
import { builtinDictionaryFiles, loadDictionaryFiles } from '../src/diameter/dictionary/load.js';

const files = process.argv.length > 2 ? process.argv.slice(2) : builtinDictionaryFiles();
const { dictionary, errors } = loadDictionaryFiles(files);
for (const e of errors) console.log(e.message);
const avps = [...dictionary.allAvps()].length;
const commands = [...dictionary.allCommands()].length;
console.log(`${files.length} files, ${avps} AVPs, ${commands} commands, ${errors.length} errors`);
process.exit(errors.length > 0 ? 1 : 0);
