// Files holding prompts and answers are readable by their owner only.

/** The mode of every file the file store creates. */
export const privateFileMode = 0o600;

/** The mode of every folder the file store creates. */
export const privateDirectoryMode = 0o700;
