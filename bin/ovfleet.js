#!/usr/bin/env node
// Node >= 22.18 runs TypeScript sources directly (type stripping); no build step.
import '../operator/cli.ts';
