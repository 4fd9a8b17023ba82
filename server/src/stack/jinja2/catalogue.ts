/**
 * What the editor says about Jinja2's builtin filters, tests and globals: signatures (after the value) and a short
 * description in our own words. The interpreter's tables (filters.ts, tests.ts, globals.ts) hold the same names; a
 * test checks both agree.
 */

export interface CatalogueEntry {
  name: string;
  /** Parameters after the value, Python style: `(width=80)`; empty when the entry takes none. */
  signature: string;
  documentation: string;
  /** Another name of the same entry (`e` for `escape`). */
  aliasOf?: string;
}

function entries(table: [string, string, string][]): CatalogueEntry[] {
  return table.map(([name, signature, documentation]) => ({ name, signature, documentation }));
}

export const FILTER_CATALOGUE: CatalogueEntry[] = entries([
  ['abs', '', 'The absolute value of a number.'],
  ['attr', '(name)', 'The attribute `name` of the value (never an item of a dict): `user | attr("name")`.'],
  ['batch', '(linecount, fill_with=None)', 'Splits a sequence into lists of `linecount` items; the last list is padded with `fill_with` when given.'], // prettier-ignore
  ['capitalize', '', 'First character upper case, the rest lower case.'],
  ['center', '(width=80)', 'Centers the text in a field of `width` characters.'],
  ['count', '', 'The number of items (same as `length`).'],
  ['default', "(default_value='', boolean=False)", 'The value, or `default_value` when it is undefined (or, with `boolean=true`, when it is false or empty).'], // prettier-ignore
  ['dictsort', "(case_sensitive=False, by='key', reverse=False)", 'The (key, value) pairs of a dict, sorted by key or by value.'], // prettier-ignore
  ['escape', '', 'Replaces `& < > \' "` with HTML entities (marks the text safe).'],
  ['filesizeformat', '(binary=False)', 'A byte count as a readable size: `1.5 MB`, or `1.4 MiB` with `binary=true`.'],
  ['first', '', 'The first item of a sequence (undefined when empty).'],
  ['float', '(default=0.0)', 'The value as a float, or `default` when it is not a number.'],
  ['forceescape', '', 'HTML-escapes the value even when it is already marked safe.'],
  [
    'format',
    '(*args, **kwargs)',
    'Python `%` formatting with the value as the format: `"%s-%05d" | format(name, port)`.',
  ],
  ['groupby', '(attribute, default=None, case_sensitive=False)', 'Groups items by an attribute: a list of `(grouper, list)` pairs, sorted by grouper.'], // prettier-ignore
  ['indent', '(width=4, first=False, blank=False)', 'Indents every line but the first (and the first with `first=true`) by `width` spaces or by a given string.'], // prettier-ignore
  ['int', '(default=0, base=10)', 'The value as an integer (text in `base`, `0x`/`0o`/`0b` prefixes with base 0), or `default`.'], // prettier-ignore
  ['items', '', 'The (key, value) pairs of a dict, in order; nothing for an undefined value.'],
  ['join', "(d='', attribute=None)", 'The items as text joined by `d`; `attribute` joins that attribute of each item.'],
  ['last', '', 'The last item of a sequence (undefined when empty).'],
  ['length', '', 'The number of items of a sequence or dict, or characters of a string.'],
  ['list', '', 'The value as a list (a string becomes its characters, a dict its keys).'],
  ['lower', '', 'Lower case.'],
  ['map', '(filter, *args) or (attribute=, default=)', 'Applies a filter to every item (`map("upper")`) or takes an attribute of each (`map(attribute="name")`).'], // prettier-ignore
  ['max', '(case_sensitive=False, attribute=None)', 'The largest item (by `attribute` when given).'],
  ['min', '(case_sensitive=False, attribute=None)', 'The smallest item (by `attribute` when given).'],
  ['pprint', '', "Python's pretty-printed repr of the value (dict keys sorted, long values wrapped at 80 columns)."],
  ['random', '', 'A random item of the sequence.'],
  ['reject', '(test=None, *args)', 'The items for which the test fails (without a test: the false items).'],
  [
    'rejectattr',
    '(attribute, test=None, *args)',
    'The items whose attribute fails the test (without a test: is false).',
  ],
  [
    'replace',
    '(old, new, count=None)',
    'Replaces occurrences of `old` with `new` (the first `count` only, when given).',
  ],
  ['reverse', '', 'The items (or characters) in reverse order.'],
  ['round', "(precision=0, method='common')", 'Rounds to `precision` digits: `common` (half to even, like Python), `ceil` or `floor`.'], // prettier-ignore
  ['safe', '', 'Marks the value as safe (no escaping); the text does not change.'],
  ['select', '(test=None, *args)', 'The items for which the test passes (without a test: the true items).'],
  [
    'selectattr',
    '(attribute, test=None, *args)',
    'The items whose attribute passes the test (without a test: is true).',
  ],
  ['slice', '(slices, fill_with=None)', 'Splits a sequence into `slices` lists of nearly equal length.'],
  ['sort', '(reverse=False, case_sensitive=False, attribute=None)', 'The items sorted (by `attribute`, comma-separated for several keys).'], // prettier-ignore
  ['string', '', 'The value as text (Python `str`).'],
  ['striptags', '', 'Removes HTML tags and comments, decodes entities and collapses whitespace.'],
  ['sum', '(attribute=None, start=0)', 'The sum of the items (of `attribute` of each), plus `start`.'],
  ['title', '', 'Every word capitalised.'],
  ['tojson', '(indent=None)', "JSON with sorted keys, `< > & '` escaped as `\\u003c`… so it is safe in HTML and YAML."],
  ['trim', '(chars=None)', 'Removes leading and trailing whitespace (or `chars`).'],
  ['truncate', "(length=255, killwords=False, end='...', leeway=None)", 'Shortens text to `length` characters (plus a leeway of 5), at a word boundary unless `killwords`.'], // prettier-ignore
  ['unique', '(case_sensitive=False, attribute=None)', 'The items without duplicates, first occurrence kept.'],
  ['upper', '', 'Upper case.'],
  ['urlencode', '', 'Percent-encodes text for a URL path, or a dict / pairs as a query string.'],
  ['urlize', '(trim_url_limit=None, nofollow=False, target=None, rel=None)', 'Turns URLs and e-mail addresses in text into HTML links.'], // prettier-ignore
  ['wordcount', '', 'The number of words.'],
  ['wordwrap', '(width=79, break_long_words=True, wrapstring=None, break_on_hyphens=True)', 'Wraps text at `width` columns.'], // prettier-ignore
  ['xmlattr', '(autospace=True)', 'A dict as escaped XML/HTML attributes (`key="value"`), skipping None and undefined values.'], // prettier-ignore
]).concat([
  {
    name: 'd',
    signature: "(default_value='', boolean=False)",
    documentation: 'Alias of `default`.',
    aliasOf: 'default',
  },
  { name: 'e', signature: '', documentation: 'Alias of `escape`.', aliasOf: 'escape' },
]);

export const TEST_CATALOGUE: CatalogueEntry[] = entries([
  ['boolean', '', 'The value is `true` or `false`.'],
  ['callable', '', 'The value can be called (a function, a macro).'],
  ['defined', '', 'The variable exists (the opposite of `undefined`).'],
  ['divisibleby', '(num)', 'The value is a multiple of `num`: `port is divisibleby 2`.'],
  ['eq', '(other)', 'Equal to `other` (also `==` and `equalto`).'],
  ['escaped', '', 'The value is marked safe (escaped).'],
  ['even', '', 'The number is even.'],
  ['false', '', 'The value is `false` itself.'],
  ['filter', '', 'A filter with this name exists.'],
  ['float', '', 'The value is a float.'],
  ['ge', '(other)', 'Greater than or equal to `other` (also `>=`).'],
  ['gt', '(other)', 'Greater than `other` (also `>` and `greaterthan`).'],
  ['in', '(seq)', 'The value is in `seq`: `env is in ["dev", "prod"]`.'],
  ['integer', '', 'The value is an integer (not a boolean).'],
  ['iterable', '', 'The value can be looped over.'],
  ['le', '(other)', 'Less than or equal to `other` (also `<=`).'],
  ['lower', '', 'The text is all lower case.'],
  ['lt', '(other)', 'Less than `other` (also `<` and `lessthan`).'],
  ['mapping', '', 'The value is a dict.'],
  ['ne', '(other)', 'Not equal to `other` (also `!=`).'],
  ['none', '', 'The value is `none`.'],
  ['number', '', 'The value is a number (booleans count).'],
  ['odd', '', 'The number is odd.'],
  ['sameas', '(other)', 'The value is the very same object as `other` (`is` in Python).'],
  ['sequence', '', 'The value is a sequence: string, list, tuple or dict.'],
  ['string', '', 'The value is text.'],
  ['test', '', 'A test with this name exists.'],
  ['true', '', 'The value is `true` itself.'],
  ['undefined', '', 'The variable does not exist.'],
  ['upper', '', 'The text is all upper case.'],
]).concat(
  (
    [
      ['==', 'eq'],
      ['equalto', 'eq'],
      ['!=', 'ne'],
      ['>', 'gt'],
      ['greaterthan', 'gt'],
      ['>=', 'ge'],
      ['<', 'lt'],
      ['lessthan', 'lt'],
      ['<=', 'le'],
    ] as const
  ).map(([name, of]) => ({ name, signature: '(other)', documentation: `Alias of \`${of}\`.`, aliasOf: of })),
);

export const GLOBAL_CATALOGUE: CatalogueEntry[] = entries([
  ['range', '([start,] stop[, step])', 'Integers from `start` (0) up to, not including, `stop`.'],
  ['dict', '(**items)', 'A dict from keyword arguments (or from a dict or a list of pairs).'],
  ['lipsum', '(n=5, html=True, min=20, max=100)', 'Random lorem ipsum paragraphs.'],
  ['cycler', '(*items)', 'An object whose `next()` cycles through the items; `current` and `reset()` too.'],
  ['joiner', "(sep=', ')", 'A function that returns "" the first time and `sep` afterwards, to join in loops.'],
  [
    'namespace',
    '(**attributes)',
    'An object whose attributes can be set in a loop: `{% set ns.total = ns.total + 1 %}`.',
  ],
]);

export const FILTER_NAMES = FILTER_CATALOGUE.map((entry) => entry.name);
/** Test names that are identifiers (operators like `==` are tests too, but cannot follow `is` as a name). */
export const TEST_NAMES = TEST_CATALOGUE.map((entry) => entry.name).filter((name) => /^\w+$/.test(name));
