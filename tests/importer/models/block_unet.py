"""Block-based U-Net: encoder and decoder blocks (custom nn.Modules) kept in nn.ModuleLists, a ModuleDict head
section, in-place ReLUs, Dropout and Identity, and the upsampled path first in each concat."""
import torch
from torch import nn


class DoubleConv(nn.Module):
    def __init__(self, cin, cout, dropout=0.0):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(cin, cout, 3, padding=1), nn.ReLU(inplace=True),
            nn.Dropout2d(dropout) if dropout else nn.Identity(),
            nn.Conv2d(cout, cout, 3, padding="same"), nn.ReLU(inplace=True))

    def forward(self, x):
        return self.body(x)


class Down(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.pool = nn.AvgPool2d(2)
        self.conv = DoubleConv(cin, cout, dropout=0.1)

    def forward(self, x):
        return self.conv(self.pool(x))


class Up(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.up = nn.Sequential(nn.ConvTranspose2d(cin, cout, kernel_size=3, stride=2, padding=1, output_padding=1),
                                nn.ReLU())
        self.conv = DoubleConv(2 * cout, cout)

    def forward(self, x, skip):
        return self.conv(torch.cat([self.up(x), skip], dim=1))   # upsampled path first


class BlockUNet(nn.Module):
    def __init__(self, in_channels=1, classes=2, widths=(4, 8, 12)):
        super().__init__()
        self.stem = DoubleConv(in_channels, widths[0])
        self.downs = nn.ModuleList(Down(a, b) for a, b in zip(widths[:-1], widths[1:]))
        self.ups = nn.ModuleList(Up(b, a) for a, b in reversed(list(zip(widths[:-1], widths[1:]))))
        self.head = nn.ModuleDict({"drop": nn.Dropout(0.2), "logits": nn.Conv2d(widths[0], classes, 1)})

    def forward(self, x):
        skips = [self.stem(x)]
        for down in self.downs:
            skips.append(down(skips[-1]))
        x = skips.pop()
        for up in self.ups:
            x = up(x, skips.pop())
        return self.head["logits"](self.head["drop"](x))
