/**
 * Word lists for the codename generators (`generate_animalname`, `generate_cosmicname`, `generate_mythologyname`).
 * Our own lists, shaped like WindFlow's (format spec §8.4): animal and cosmic words are lowercase, three cosmic nouns
 * contain `_`, and mythology nouns are capitalised with one apostrophe — the shapes that make some codenames invalid
 * as Docker or Kubernetes names, which the checks warn about.
 */
export interface WordList {
  adjectives: readonly string[];
  adverbs: readonly string[];
  nouns: readonly string[];
}

const ANIMAL: WordList = {
  adjectives: [
    'able', 'agile', 'alert', 'amber', 'ample', 'aqua', 'ashen', 'awake', 'bold', 'brave', 'breezy', 'bright', 'brisk',
    'calm', 'candid', 'careful', 'cheery', 'clever', 'cool', 'cosy', 'crisp', 'curious', 'daring', 'deft', 'eager',
    'early', 'easy', 'fair', 'fancy', 'fast', 'fearless', 'fine', 'fluffy', 'fond', 'free', 'fresh', 'friendly',
    'gentle', 'glad', 'golden', 'good', 'grand', 'happy', 'hardy', 'hearty', 'honest', 'humble', 'jolly', 'keen',
    'kind', 'lively', 'loyal', 'lucky', 'mellow', 'merry', 'mighty', 'modest', 'neat', 'nimble', 'noble', 'patient',
    'plucky', 'polite', 'proud', 'quick', 'quiet', 'rapid', 'ready', 'robust', 'rosy', 'shiny', 'silent', 'sleek',
    'smart', 'snug', 'solid', 'spry', 'steady', 'stout', 'sunny', 'swift', 'tidy', 'tough', 'trusty', 'vivid', 'warm',
    'wise', 'witty', 'young', 'zesty',
  ],
  adverbs: [
    'ably', 'boldly', 'bravely', 'brightly', 'briskly', 'calmly', 'cheerfully', 'cleverly', 'closely', 'deftly',
    'eagerly', 'easily', 'fairly', 'fondly', 'freely', 'gently', 'gladly', 'gracefully', 'happily', 'heartily',
    'honestly', 'humbly', 'jointly', 'keenly', 'kindly', 'lightly', 'lively', 'loudly', 'loyally', 'merrily', 'mildly',
    'neatly', 'nicely', 'openly', 'patiently', 'politely', 'proudly', 'quickly', 'quietly', 'rapidly', 'readily',
    'safely', 'sharply', 'simply', 'smoothly', 'softly', 'solidly', 'steadily', 'swiftly', 'tidily', 'truly',
    'warmly', 'wisely', 'wildly',
  ],
  nouns: [
    'aardvark', 'albatross', 'alpaca', 'antelope', 'badger', 'beaver', 'bison', 'bobcat', 'buffalo', 'camel',
    'capybara', 'caribou', 'cheetah', 'chipmunk', 'cobra', 'condor', 'cougar', 'coyote', 'crane', 'dingo', 'dolphin',
    'donkey', 'eagle', 'egret', 'elephant', 'elk', 'emu', 'falcon', 'ferret', 'finch', 'flamingo', 'fox', 'gazelle',
    'gecko', 'gibbon', 'giraffe', 'gopher', 'gorilla', 'grouse', 'hamster', 'hare', 'hedgehog', 'heron', 'hippo',
    'hornet', 'horse', 'ibex', 'ibis', 'iguana', 'impala', 'jackal', 'jaguar', 'kangaroo', 'kestrel', 'koala',
    'lemur', 'leopard', 'lion', 'llama', 'lobster', 'lynx', 'macaw', 'magpie', 'mallard', 'manatee', 'marmot',
    'meerkat', 'mink', 'mole', 'moose', 'narwhal', 'newt', 'ocelot', 'octopus', 'okapi', 'orca', 'oriole', 'osprey',
    'ostrich', 'otter', 'owl', 'panda', 'panther', 'parrot', 'pelican', 'penguin', 'pheasant', 'pony', 'puffin',
    'puma', 'quail', 'rabbit', 'raccoon', 'raven', 'reindeer', 'robin', 'salmon', 'seal', 'shark', 'sparrow',
    'squirrel', 'stork', 'swan', 'tapir', 'tiger', 'toucan', 'turtle', 'viper', 'walrus', 'weasel', 'whale', 'wolf',
    'wombat', 'yak', 'zebra',
  ],
}; // prettier-ignore

const COSMIC: WordList = {
  adjectives: [
    'astral', 'blazing', 'boundless', 'celestial', 'cosmic', 'dark', 'distant', 'dusty', 'eclipsed', 'endless',
    'eternal', 'faint', 'fiery', 'galactic', 'glowing', 'gravitic', 'hazy', 'icy', 'infinite', 'ionic', 'lunar',
    'luminous', 'magnetic', 'nebular', 'orbital', 'polar', 'pulsing', 'radiant', 'red', 'rocky', 'silent', 'solar',
    'spinning', 'stellar', 'twinkling', 'vast', 'violet', 'wandering',
  ],
  adverbs: [
    'boundlessly', 'brightly', 'coldly', 'darkly', 'deeply', 'dimly', 'distantly', 'endlessly', 'eternally',
    'faintly', 'fiercely', 'gently', 'gravely', 'hazily', 'infinitely', 'keenly', 'loosely', 'luminously', 'quietly',
    'radiantly', 'rapidly', 'silently', 'slowly', 'softly', 'steadily', 'strangely', 'swiftly', 'vastly', 'warmly',
    'widely',
  ],
  nouns: [
    'andromeda', 'antares', 'aphelion', 'apogee', 'aurora', 'betelgeuse', 'blazar', 'callisto', 'canopus',
    'centaurus_a', 'ceres', 'comet', 'corona', 'cosmos', 'deimos', 'eclipse', 'enceladus', 'equinox', 'europa',
    'galaxy', 'ganymede', 'hale_bopp', 'halo', 'helios', 'io', 'jupiter', 'kuiper', 'magnetar', 'mars', 'mercury',
    'meteor', 'mimas', 'moon', 'nebula', 'neptune', 'nova', 'oberon', 'orion', 'perigee', 'phobos', 'planet',
    'pleiades', 'pluto', 'polaris', 'pulsar', 'quasar', 'rigel', 'saturn', 'sirius', 'solstice', 'starlight',
    'sun', 'supernova', 'swift_tuttle', 'titan', 'triton', 'umbriel', 'uranus', 'vega', 'venus', 'zenith',
  ],
}; // prettier-ignore

const MYTHOLOGY: WordList = {
  adjectives: [
    'ancient', 'arcane', 'blessed', 'bold', 'divine', 'enchanted', 'epic', 'eternal', 'fabled', 'fated', 'fierce',
    'gilded', 'glorious', 'golden', 'heroic', 'hidden', 'holy', 'immortal', 'legendary', 'lofty', 'majestic',
    'mighty', 'mystic', 'noble', 'olden', 'oracular', 'primal', 'proud', 'radiant', 'regal', 'runic', 'sacred',
    'sage', 'storied', 'titanic', 'valiant', 'wise', 'wrathful',
  ],
  adverbs: [
    'boldly', 'bravely', 'divinely', 'eternally', 'fatefully', 'fiercely', 'gloriously', 'grandly', 'heroically',
    'justly', 'loftily', 'mightily', 'mystically', 'nobly', 'proudly', 'radiantly', 'regally', 'righteously',
    'sacredly', 'sagely', 'serenely', 'solemnly', 'splendidly', 'valiantly', 'vastly', 'wisely', 'wondrously',
    'zealously',
  ],
  nouns: [
    'Achilles', 'Aegir', 'Amaterasu', 'Anubis', 'Aphrodite', 'Apollo', 'Ares', 'Artemis', 'Athena', 'Atlas',
    'Baldur', 'Bastet', 'Brigid', 'Cerberus', 'Chronos', 'Demeter', 'Dionysus', 'Eos', 'Freya', 'Frigg', 'Gaia',
    'Hades', 'Hathor', 'Hecate', 'Helios', 'Hera', 'Hermes', 'Hestia', 'Horus', 'Hyperion', 'Icarus', 'Isis',
    'Janus', 'Kali', 'Loki', "Ma'at", 'Medusa', 'Mimir', 'Minerva', 'Nemesis', 'Njord', 'Nut', 'Odin', 'Orpheus',
    'Osiris', 'Pan', 'Pegasus', 'Persephone', 'Perseus', 'Phoenix', 'Poseidon', 'Prometheus', 'Ra', 'Rhea',
    'Selene', 'Set', 'Sif', 'Skadi', 'Sobek', 'Susanoo', 'Thor', 'Thoth', 'Tyr', 'Vesta', 'Vulcan', 'Zeus',
  ],
}; // prettier-ignore

export const CODENAME_WORDS = { animal: ANIMAL, cosmic: COSMIC, mythology: MYTHOLOGY } as const;
export type CodenameTheme = keyof typeof CODENAME_WORDS;
