#!/usr/bin/env node
// Entry for `npx minipod` and the package bin: runs the compiled CLI (npm run build).
import '../dist/cmd/minipod.js';
