import { readStreamBundle } from './renderer';

describe('the streamed output', () => {
  it('reads a bundle that names a stream, and nothing else', () => {
    expect(readStreamBundle({ id: 'ab', format: 'text' })).toEqual({
      id: 'ab',
      format: 'text'
    });
    expect(readStreamBundle({ id: 'ab' })?.format).toBe('markdown');
    expect(readStreamBundle({ format: 'text' })).toBeNull();
  });
});
