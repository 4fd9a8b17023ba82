/**
 * The language service: every editing feature as a plain function of a document's text, free of any connection or
 * editor API, so the LSP server, tests and other hosts share it. The parsed model is cached per document and only
 * rebuilt (incrementally) when the text changes.
 */
import type {
  CodeAction,
  CompletionItem,
  Diagnostic,
  DocumentHighlight,
  DocumentSymbol,
  FoldingRange,
  Hover,
  InlayHint,
  Location,
  LocationLink,
  Range,
  SemanticTokens,
  WorkspaceEdit,
} from 'vscode-languageserver-types';
import { checkStack, type CheckOptions } from './stack/check';
import { IncrementalStackParser } from './stack/incremental';
import { StackModel } from './stack/model';
import { Span } from './stack/text';
import { codeActions } from './features/codeActions';
import { complete } from './features/completion';
import { definition } from './features/definition';
import { encodingDiagnostics, toLspDiagnostics } from './features/diagnostics';
import { foldingRanges } from './features/folding';
import { hover } from './features/hover';
import { inlayHints } from './features/inlayHints';
import { highlights, references } from './features/references';
import { prepareRename, rename } from './features/rename';
import { semanticTokens } from './features/semanticTokens';
import { documentSymbols } from './features/symbols';

export { RenameRefusal } from './features/rename';
export { SEMANTIC_TOKENS_LEGEND } from './features/semanticTokens';

export interface LanguageServiceOptions {
  /** URL of docs/diagnostics.md; each diagnostic links to its `#wfxxx` anchor there. */
  diagnosticsDocsUrl?: string;
  /** How many documents keep a cached model. */
  maxCachedDocuments?: number;
}

interface CachedDocument {
  text: string;
  model: StackModel;
  parser: IncrementalStackParser;
}

/** Documents without a URI (tests, one-off calls) share this cache key. */
const ANONYMOUS = '';

export function createLanguageService(options: LanguageServiceOptions = {}) {
  const cache = new Map<string, CachedDocument>();
  const maxCached = options.maxCachedDocuments ?? 32;

  /** The model of this exact text, parsed at most once per version of the document. */
  function modelOf(text: string, uri = ANONYMOUS): StackModel {
    const cached = cache.get(uri);
    if (cached && cached.text === text) return cached.model;
    const parser = cached?.parser ?? new IncrementalStackParser();
    const model = parser.update(text, uri || undefined);
    cache.delete(uri);
    cache.set(uri, { text, model, parser });
    if (cache.size > maxCached) cache.delete(cache.keys().next().value as string);
    return model;
  }

  const spanOf = (model: StackModel, range: Range): Span => ({
    start: model.lines.offsetAt(range.start),
    end: model.lines.offsetAt(range.end),
  });

  return {
    modelOf,
    forget(uri: string): void {
      cache.delete(uri);
    },
    getDiagnostics(text: string, uri?: string, checkOptions: CheckOptions = {}): Diagnostic[] {
      const model = modelOf(text, uri);
      const found = [...encodingDiagnostics(text), ...checkStack(model, checkOptions)];
      return toLspDiagnostics(model, found, options.diagnosticsDocsUrl);
    },
    complete(text: string, offset: number, uri?: string): CompletionItem[] {
      return complete(modelOf(text, uri), offset);
    },
    hover(text: string, offset: number, uri?: string): Hover | null {
      return hover(modelOf(text, uri), offset);
    },
    definition(text: string, offset: number, uri: string): LocationLink[] {
      return definition(modelOf(text, uri), uri, offset);
    },
    references(text: string, offset: number, uri: string, includeDeclaration: boolean): Location[] {
      return references(modelOf(text, uri), uri, offset, includeDeclaration);
    },
    highlights(text: string, offset: number, uri?: string): DocumentHighlight[] {
      return highlights(modelOf(text, uri), offset);
    },
    /** Throws RenameRefusal (with a message for the user) when nothing renameable is at the offset. */
    prepareRename(text: string, offset: number, uri?: string): { range: Range; placeholder: string } {
      return prepareRename(modelOf(text, uri), offset);
    },
    /** Throws RenameRefusal when the new name is invalid or taken. */
    rename(text: string, offset: number, newName: string, uri: string): WorkspaceEdit {
      return rename(modelOf(text, uri), uri, offset, newName);
    },
    symbols(text: string, uri?: string): DocumentSymbol[] {
      return documentSymbols(modelOf(text, uri));
    },
    folding(text: string, uri?: string): FoldingRange[] {
      return foldingRanges(modelOf(text, uri));
    },
    codeActions(text: string, diagnostics: Diagnostic[], uri: string): CodeAction[] {
      return codeActions(modelOf(text, uri), uri, diagnostics);
    },
    inlayHints(text: string, range: Range, uri?: string): InlayHint[] {
      const model = modelOf(text, uri);
      return inlayHints(model, spanOf(model, range));
    },
    semanticTokens(text: string, uri?: string): SemanticTokens {
      return semanticTokens(modelOf(text, uri));
    },
  };
}

export type LanguageService = ReturnType<typeof createLanguageService>;
