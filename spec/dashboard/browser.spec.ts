import { BrowserMissingError, launchBrowser } from './browser';

describe('launchBrowser', () => {
  it('should fail, saying how to install Chromium, when there is no browser at the path', async () => {
    const launched = launchBrowser('/nonexistent/chromium');
    await expect(launched).rejects.toBeInstanceOf(BrowserMissingError);
    await expect(launched).rejects.toThrow(
      /no Chromium at \/nonexistent\/chromium: .*apt-get update && sudo apt-get install -y chromium.*CHROME_PATH/,
    );
  });
});
