/** Option parsers that name the option they refuse. */
import { InvalidArgumentError } from 'commander';

export function integerOption(min: number, max: number) {
  return (value: string): number => {
    if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}.`);
    const number = Number(value);
    if (number < min || number > max) throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}.`);
    return number;
  };
}

/** `500ms`, `25s`, `2m` or a bare number of milliseconds. */
export function durationOption(min: number, max: number) {
  return (value: string): number => {
    const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(value);
    if (!match) throw new InvalidArgumentError('expected a duration such as 500ms, 25s or 2m.');
    const scale = match[2] === 's' ? 1000 : match[2] === 'm' ? 60_000 : 1;
    const ms = Math.round(Number(match[1]) * scale);
    if (ms < min || ms > max) throw new InvalidArgumentError(`expected a duration from ${min}ms to ${max}ms.`);
    return ms;
  };
}

/** `1000000`, `64kb`, `1mb` (powers of 1024 for kb/mb). */
export function sizeOption(min: number, max: number) {
  return (value: string): number => {
    const match = /^(\d+)(b|kb|mb)?$/i.exec(value);
    if (!match) throw new InvalidArgumentError('expected a size such as 65536, 64kb or 1mb.');
    const unit = match[2]?.toLowerCase();
    const bytes = Number(match[1]) * (unit === 'kb' ? 1024 : unit === 'mb' ? 1024 * 1024 : 1);
    if (bytes < min || bytes > max) throw new InvalidArgumentError(`expected a size from ${min} to ${max} bytes.`);
    return bytes;
  };
}
