// An ISO 8601 UTC time in a record on disk (Date.toISOString()'s), checked as zod's .datetime()
// checks it but with its regex made once: zod makes it again for every value it checks, a tenth of
// a pod record's validation, and a restart validates every record (issue 13).
import { datetimeRegex, z } from 'zod';

const ISO_TIME = datetimeRegex({ precision: null, offset: false, local: false });

/** A string that is such a time; message is what a failing value is told (zod's own by default). */
export const isoTime = (message = 'Invalid datetime') => z.string().regex(ISO_TIME, message);
