import assert from 'node:assert/strict';
import { createServer, Server } from 'node:net';
import { HELPER_FUNCTIONS } from '../../server/src/stack/functions';
import {
  callHelper,
  cryptoRandom,
  firstBindablePort,
  HelperContext,
  HelperError,
  RandomSource,
  strftimeUtc,
} from '../../server/src/stack/helpers';
import { CODENAME_WORDS } from '../../server/src/stack/names';

/** Always the lowest value: the first character or word of every list. */
const lowest: RandomSource = { int: (min) => min };
/** Always the highest value: the last character or word of every list. */
const highest: RandomSource = { int: (_min, maxExclusive) => maxExclusive - 1 };
/** 0, 1, 2, … wrapped into each range: walks through alphabets in order. */
function counting(): RandomSource {
  let next = 0;
  return { int: (min, maxExclusive) => min + (next++ % (maxExclusive - min)) };
}

function context(overrides: Partial<HelperContext> = {}): HelperContext {
  return {
    random: lowest,
    now: () => new Date(Date.UTC(2024, 2, 5, 7, 8, 9, 123)),
    env: undefined,
    firstFreePort: (ports) => ports[0],
    ...overrides,
  };
}

function call(
  name: string,
  positional: unknown[] = [],
  keywords: Record<string, unknown> = {},
  overrides: Partial<HelperContext> = {},
): unknown {
  return callHelper(name, positional, keywords, context(overrides));
}

describe('helper functions', () => {
  it('implements every declared signature', () => {
    const requiredArguments: Record<string, unknown[]> = {
      random_string: [3],
      base64_encode: ['x'],
      base64_decode: ['eA=='],
      hash_value: ['x'],
      env: ['HOME'],
      random_choice: ['only'],
    };
    for (const signature of HELPER_FUNCTIONS) {
      assert.doesNotThrow(
        () => call(signature.name, requiredArguments[signature.name] ?? [], {}, { env: {} }),
        signature.name,
      );
    }
    assert.throws(() => call('no_such_helper'), { message: "no helper function named 'no_such_helper'" });
  });

  describe('generate_password', () => {
    it('draws from letters, digits and the specials, 24 characters by default', () => {
      assert.equal(call('generate_password', [5], {}, { random: counting() }), 'abcde');
      assert.equal(call('generate_password', [3], {}, { random: highest }), '+++');
      const password = callHelper('generate_password', [], {}, context({ random: cryptoRandom })) as string;
      assert.match(password, /^[A-Za-z0-9!@#$%^&*()\-_=+]{24}$/);
    });

    it('leaves the specials out when include_special is false, positionally or by keyword', () => {
      assert.equal(call('generate_password', [3, false], {}, { random: highest }), '999');
      assert.equal(call('generate_password', [3], { include_special: false }, { random: highest }), '999');
    });

    it('rejects a length that is not an integer and caps huge lengths', () => {
      assert.throws(() => call('generate_password', ['24']), {
        message: 'generate_password(): length must be an integer, not "24"',
      });
      assert.throws(
        () => call('generate_password', [1_000_000]),
        /generate_password\(\): length 1000000 is larger than 10000/,
      );
      assert.equal(call('generate_password', [-3]), '');
    });
  });

  it('generate_secret: exactly length lowercase hex characters', () => {
    assert.equal(call('generate_secret', [20], {}, { random: counting() }), '0123456789abcdef0123');
    assert.match(
      callHelper('generate_secret', [50], {}, context({ random: cryptoRandom })) as string,
      /^[0-9a-f]{50}$/,
    );
    assert.equal((call('generate_secret') as string).length, 32);
  });

  it('random_string: the four charsets, and an error for any other', () => {
    assert.equal(call('random_string', [4, 'numeric'], {}, { random: counting() }), '0123');
    assert.equal(call('random_string', [3, 'hex'], {}, { random: highest }), 'fff');
    assert.equal(call('random_string', [3, 'alpha'], {}, { random: highest }), 'ZZZ');
    assert.equal(call('random_string', [3], {}, { random: highest }), '999');
    assert.throws(() => call('random_string', [3, 'emoji']), {
      message: "random_string(): unknown charset 'emoji'; use 'alphanumeric', 'alpha', 'numeric' or 'hex'",
    });
    assert.throws(() => call('random_string'), { message: "random_string() missing required argument 'length'" });
  });

  it('generate_uuid and generate_uuid_short: version 4 with and without dashes', () => {
    assert.equal(call('generate_uuid'), '00000000-0000-4000-8000-000000000000');
    assert.equal(call('generate_uuid_short'), '00000000000040008000000000000000');
    const random = callHelper('generate_uuid', [], {}, context({ random: cryptoRandom })) as string;
    assert.match(random, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('base64_encode / base64_decode work on UTF-8 text', () => {
    assert.equal(call('base64_encode', ['héllo']), 'aMOpbGxv');
    assert.equal(call('base64_decode', ['aMOpbGxv']), 'héllo');
    assert.equal(call('base64_encode', [true]), 'VHJ1ZQ==');
    assert.throws(() => call('base64_decode', ['not base64!']), /base64_decode\(\): the value is not valid base64/);
    assert.throws(() => call('base64_decode', ['/w==']), /base64_decode\(\): the decoded bytes are not UTF-8 text/);
  });

  it('hash_value: the four algorithms as hex digests', () => {
    assert.equal(call('hash_value', ['abc']), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    assert.equal(call('hash_value', ['abc', 'md5']), '900150983cd24fb0d6963f7d28e17f72');
    assert.equal(call('hash_value', ['abc'], { algorithm: 'sha1' }), 'a9993e364706816aba3e25717850c26c9cd0d89d');
    assert.equal((call('hash_value', ['abc', 'sha512']) as string).length, 128);
    assert.throws(() => call('hash_value', ['abc', 'crc32']), {
      message: "hash_value(): unsupported algorithm 'crc32'; use 'sha256', 'sha512', 'md5' or 'sha1'",
    });
  });

  it('random_port: inclusive range, 10000–65535 by default', () => {
    assert.equal(call('random_port', [], {}, { random: lowest }), 10000);
    assert.equal(call('random_port', [], {}, { random: highest }), 65535);
    assert.equal(call('random_port', [20, 21], {}, { random: highest }), 21);
    assert.throws(() => call('random_port', [30, 20]), {
      message: 'random_port(): min_port 30 is greater than max_port 20',
    });
  });

  describe('get_valid_port', () => {
    it('returns the first free port from start_port, 5432 by default', () => {
      const free = (ports: number[]) => ports.find((port) => port % 2 === 1);
      assert.equal(call('get_valid_port', [], {}, { firstFreePort: free }), 5433);
      assert.equal(call('get_valid_port', [8000, 3], {}, { firstFreePort: free }), 8001);
    });

    it('fails when no port in the range is free or the range passes 65535', () => {
      assert.throws(() => call('get_valid_port', [9000, 5], {}, { firstFreePort: () => undefined }), {
        message: 'get_valid_port(): no free port in 9000–9004 on this machine',
      });
      assert.throws(() => call('get_valid_port', [65535, 10], {}, { firstFreePort: () => undefined }), {
        message: 'get_valid_port(): no free port in 65535–65535 on this machine',
      });
      assert.throws(() => call('get_valid_port', [70000]), {
        message: 'get_valid_port(): start_port 70000 is not a port (1–65535)',
      });
    });

    it('really probes this machine: a port we hold is skipped', async () => {
      const server: Server = createServer();
      await new Promise<void>((resolve) => server.listen({ port: 0, host: '0.0.0.0' }, resolve));
      try {
        const held = (server.address() as { port: number }).port;
        const found = firstBindablePort([held, held + 1, held + 2]);
        assert.ok(
          found !== undefined && found > held && found <= held + 2,
          `expected a port after ${held}, got ${found}`,
        );
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
    });
  });

  it('env: disabled unless allowed, then reads the variable or the default', () => {
    assert.throws(() => call('env', ['HOME']), new HelperError('env() is disabled in untrusted workspaces'));
    const env = { DB_HOST: 'db.internal' };
    assert.equal(call('env', ['DB_HOST'], {}, { env }), 'db.internal');
    assert.equal(call('env', ['MISSING'], {}, { env }), '');
    assert.equal(call('env', ['MISSING', 'fallback'], {}, { env }), 'fallback');
  });

  it('now: UTC strftime with the default format and common directives', () => {
    assert.equal(call('now'), '2024-03-05 07:08:09');
    assert.equal(
      call('now', ['%d/%m/%y %I:%M %p, %A %B, day %j, %%, %F %T, %s, %f, %Q']),
      '05/03/24 07:08 AM, Tuesday March, day 065, %, 2024-03-05 07:08:09, 1709622489, 123000, %Q',
    );
    assert.equal(
      strftimeUtc(new Date(Date.UTC(2024, 11, 31, 23, 0, 0)), '%a %b %e %H%M %z %Z'),
      'Tue Dec 31 2300 +0000 UTC',
    );
  });

  it('random_choice: one of its arguments, an error without any', () => {
    assert.equal(call('random_choice', ['a', 'b', 'c'], {}, { random: highest }), 'c');
    assert.deepEqual(call('random_choice', [[1, 2]]), [1, 2]);
    assert.throws(() => call('random_choice'), { message: 'random_choice() needs at least one choice' });
    assert.throws(() => call('random_choice', ['a'], { k: 1 }), {
      message: "random_choice() got an unexpected keyword argument 'k'",
    });
  });

  describe('name generators', () => {
    it('have the four styles of WindFlow', () => {
      assert.equal(call('generate_animalname', ['pg']), 'pg-able-aardvark');
      assert.equal(call('generate_animalname', ['pg', 'ubuntu']), 'pg-able-aardvark-aaa');
      assert.equal(call('generate_animalname', ['pg'], { style: 'docker' }), 'pg-ably-aardvark-aaaa');
      assert.equal(call('generate_animalname', ['pg', 'full']), 'pg-aaa-ably-able-aardvark-aaaa');
      assert.equal(call('generate_animalname', ['pg', null]), 'pg-able-aardvark');
      assert.equal(
        call('generate_animalname', ['pg', 'full'], {}, { random: highest }),
        'pg-999-wildly-zesty-zebra-9999',
      );
    });

    it('start with "-" without a name, and take the themes of cosmic and mythology words', () => {
      assert.equal(call('generate_animalname'), '-able-aardvark');
      assert.equal(call('generate_cosmicname', ['postgres-data']), 'postgres-data-astral-andromeda');
      assert.equal(call('generate_mythologyname', ['app'], {}, { random: highest }), 'app-wrathful-Zeus');
    });

    it('reject an unknown style and misplaced arguments', () => {
      assert.throws(() => call('generate_animalname', ['pg', 'fancy']), {
        message: "generate_animalname(): unknown style 'fancy'; use None, 'ubuntu', 'docker' or 'full'",
      });
      assert.throws(() => call('generate_cosmicname', ['a', 'docker', 3]), {
        message: 'generate_cosmicname() takes at most 2 arguments (3 given)',
      });
      assert.throws(() => call('generate_cosmicname', ['a'], { name: 'b' }), {
        message: "generate_cosmicname() got multiple values for argument 'name'",
      });
    });

    it('word lists have the shapes the checks warn about', () => {
      const { animal, cosmic, mythology } = CODENAME_WORDS;
      for (const word of [...animal.adjectives, ...animal.adverbs, ...animal.nouns]) assert.match(word, /^[a-z]+$/);
      assert.deepEqual(
        cosmic.nouns.filter((word) => word.includes('_')),
        ['centaurus_a', 'hale_bopp', 'swift_tuttle'],
      );
      assert.ok(mythology.nouns.every((word) => /^[A-Z][a-z']+$/.test(word)));
      assert.deepEqual(
        mythology.nouns.filter((word) => word.includes("'")),
        ["Ma'at"],
      );
      const total = Object.values(CODENAME_WORDS).reduce(
        (sum, list) => sum + list.adjectives.length + list.adverbs.length + list.nouns.length,
        0,
      );
      assert.ok(total > 500, `${total} words`);
    });
  });
});
